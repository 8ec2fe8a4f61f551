import { z } from 'zod';
import { lineText } from './plain-text.js';
import { ErrorCode } from './errors.js';
import { IceServer } from './ice-servers.js';
import {
  LobbyEntry,
  SessionErrorReason,
  SessionState,
  sessionNotifications,
  sessionRequests,
} from './session.js';
import { agendaNotifications, agendaRequests } from './live-agenda.js';
import { planNotifications, planRequests } from './live-plan.js';
import { lineNotifications, lineRequests } from './line-quality.js';

/**
 * The socket.io signalling contract between the browser and the SFU.
 *
 * Client -> server: requests, each with an ack `(res: Ack<T>) => void`.
 * Server -> client: notifications, no ack.
 *
 * Media parameters (RTP capabilities, RTP and DTLS parameters) are checked for shape here;
 * mediasoup validates their content and a rejection becomes a `bad_request` ack.
 */

// ---------------------------------------------------------------------------------------
// Acks

/**
 * Where a `wrong_node` error sends the client: the public URL of the node hosting the
 * session (its PUBLIC_URL), http or https only.
 */
export const RedirectUrl = z.url({ protocol: /^https?$/ }).max(2048);

/**
 * `reason` refines the code for session requests (e.g. `consent_required`); `redirectUrl`
 * comes with `wrong_node`: reconnect the socket there.
 */
export type AckError = {
  code: ErrorCode;
  message: string;
  reason?: SessionErrorReason;
  redirectUrl?: string;
};
export type Ack<T> = { ok: true; data: T } | { ok: false; error: AckError };
export const AckErrorSchema = z.object({
  code: ErrorCode,
  message: z.string(),
  reason: SessionErrorReason.optional(),
  redirectUrl: RedirectUrl.optional(),
});
export const ackSchema = <T extends z.ZodType>(data: T) =>
  z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), data }),
    z.object({ ok: z.literal(false), error: AckErrorSchema }),
  ]);

/** Largest request payload (serialized JSON) a handler accepts; larger gets `payload_too_large`. */
export const MAX_REQUEST_BYTES = 64 * 1024;
/** Transport-level cap (socket.io `maxHttpBufferSize`): beyond it the connection is dropped. */
export const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * Consumers one `resumeConsumers` may name: more than a full call's (every participant's
 * microphone, camera and screen).
 */
export const MAX_RESUME_BATCH = 100;
/**
 * A queue's onset (`reportQueueOnset`) older than this when its `reportQueueing` comes is no
 * longer its start: counted from it, both sides would hold what came before the queue.
 */
export const QUEUE_ONSET_MEMORY_MS = 3000;

// ---------------------------------------------------------------------------------------
// Media parameter shapes (structural subsets of mediasoup's types)

const Id = lineText.min(1).max(128);
const MediaKind = z.enum(['audio', 'video']);
export type MediaKind = z.infer<typeof MediaKind>;
export const TrackSource = z.enum(['camera', 'microphone', 'screen']);
export type TrackSource = z.infer<typeof TrackSource>;

const RtcpFeedback = z.looseObject({ type: z.string(), parameter: z.string().optional() });
// Values are strings or numbers in practice; mediasoup validates them.
const CodecParameters = z.record(z.string(), z.unknown());

export const RtpCodecCapability = z.looseObject({
  kind: MediaKind,
  mimeType: z.string(),
  preferredPayloadType: z.number().int().optional(),
  clockRate: z.number().int(),
  channels: z.number().int().optional(),
  parameters: CodecParameters.optional(),
  rtcpFeedback: z.array(RtcpFeedback).optional(),
});
export const RtpHeaderExtension = z.looseObject({
  kind: MediaKind,
  uri: z.string(),
  preferredId: z.number().int(),
  preferredEncrypt: z.boolean().optional(),
  direction: z.enum(['sendrecv', 'sendonly', 'recvonly', 'inactive']).optional(),
});
export const RtpCapabilities = z.looseObject({
  codecs: z.array(RtpCodecCapability).max(128).optional(),
  headerExtensions: z.array(RtpHeaderExtension).max(64).optional(),
});
export type RtpCapabilities = z.infer<typeof RtpCapabilities>;

export const RtpParameters = z.looseObject({
  mid: z.string().optional(),
  codecs: z
    .array(
      z.looseObject({
        mimeType: z.string(),
        payloadType: z.number().int(),
        clockRate: z.number().int(),
        channels: z.number().int().optional(),
        parameters: CodecParameters.optional(),
        rtcpFeedback: z.array(RtcpFeedback).optional(),
      }),
    )
    .max(32),
  headerExtensions: z
    .array(
      z.looseObject({
        uri: z.string(),
        id: z.number().int(),
        encrypt: z.boolean().optional(),
        parameters: CodecParameters.optional(),
      }),
    )
    .max(32)
    .optional(),
  encodings: z.array(z.looseObject({})).max(8).optional(),
  rtcp: z.looseObject({}).optional(),
});
export type RtpParameters = z.infer<typeof RtpParameters>;

export const DtlsParameters = z.object({
  role: z.enum(['auto', 'client', 'server']).optional(),
  fingerprints: z
    .array(z.object({ algorithm: z.string().max(16), value: z.string().max(256) }))
    .min(1)
    .max(8),
});
export type DtlsParameters = z.infer<typeof DtlsParameters>;

const IceParameters = z.looseObject({
  usernameFragment: z.string(),
  password: z.string(),
  iceLite: z.boolean().optional(),
});
const IceCandidate = z.looseObject({
  foundation: z.string(),
  priority: z.number(),
  ip: z.string(),
  protocol: z.enum(['udp', 'tcp']),
  port: z.number().int(),
  type: z.string(),
  tcpType: z.string().optional(),
});

/** What a browser needs to create a mediasoup-client transport. */
export const TransportOptions = z.object({
  id: Id,
  iceParameters: IceParameters,
  iceCandidates: z.array(IceCandidate),
  dtlsParameters: DtlsParameters,
  /**
   * The receive transport's SCTP endpoint: in the waiting room the browser opens an empty
   * data channel on it, so ICE and DTLS are done before admission (admission then only
   * starts the consumers). No data is ever sent on it.
   */
  sctpParameters: z
    .object({
      port: z.number().int(),
      OS: z.number().int(),
      MIS: z.number().int(),
      maxMessageSize: z.number().int(),
    })
    .optional(),
});
export type TransportOptions = z.infer<typeof TransportOptions>;

// ---------------------------------------------------------------------------------------
// Room state

export const ProducerInfo = z.object({
  id: Id,
  kind: MediaKind,
  source: TrackSource,
  paused: z.boolean(),
});
export type ProducerInfo = z.infer<typeof ProducerInfo>;

export const PeerInfo = z.object({
  id: Id,
  displayName: z.string(),
  /** Shown beside the name (everyone in a session must be known). */
  role: z.string().optional(),
  producers: z.array(ProducerInfo),
});
export type PeerInfo = z.infer<typeof PeerInfo>;

export const ConsumerInfo = z.object({
  id: Id,
  producerId: Id,
  peerId: Id,
  kind: MediaKind,
  source: TrackSource,
  rtpParameters: RtpParameters,
  /** Simulcast or SVC: the receiver may pick a layer with `setConsumerPreferredLayers`. */
  type: z.enum(['simple', 'simulcast', 'svc', 'pipe']),
  producerPaused: z.boolean(),
});
export type ConsumerInfo = z.infer<typeof ConsumerInfo>;

// ---------------------------------------------------------------------------------------
// Requests (client -> server, acked)

const Empty = z.object({}).strict();
const TransportRef = z.object({ transportId: Id });
const ProducerRef = z.object({ producerId: Id });
const ConsumerRef = z.object({ consumerId: Id });

/** The transports a participant gets at `join`, before admission (the lobby) and after. */
export const MediaTransports = z.object({
  /** This participant's media peer id (the participant id). */
  peerId: Id,
  /** Absent without the `canPublish` grant. */
  sendTransport: TransportOptions.optional(),
  /** Absent without the `canSubscribe` grant. */
  recvTransport: TransportOptions.optional(),
});
export type MediaTransports = z.infer<typeof MediaTransports>;

/**
 * What admission opens: everyone else in the room and the consumers to create now. These
 * consumers are resumed by the server once the receive transport connects (with a key
 * frame requested at once), so the client sends no `resumeConsumer` for them; on a receive
 * transport that connected before (in the waiting room) the client resumes them in one
 * `resumeConsumers` once it has set them up, since a key frame sent before then would be
 * lost.
 */
export const MediaStart = z.object({
  /** Everyone else in the room, with what they publish. */
  peers: z.array(PeerInfo),
  consumers: z.array(ConsumerInfo),
  /** The currently dominant speaker, if any. */
  activeSpeakerPeerId: Id.nullable(),
});
export type MediaStart = z.infer<typeof MediaStart>;

/**
 * `join` answers where the participant now is, with the media transports already made:
 * in the waiting room (transports ready, nothing consumed or produced until admission), or
 * admitted with the media opened.
 */
export const JoinResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('waiting'),
    lobbyEntry: LobbyEntry,
    transports: MediaTransports,
  }),
  z.object({
    status: z.literal('admitted'),
    session: SessionState,
    transports: MediaTransports,
    media: MediaStart,
  }),
]);
export type JoinResponse = z.infer<typeof JoinResponse>;

/**
 * The request catalogue: name -> payload schema and response schema. Both the typed event
 * maps and the server's validation derive from it.
 */
export const requests = {
  /** Waiting room, admission, chat, hands, roster and host actions (session.ts). */
  ...sessionRequests,
  /** The agenda in the live session: parts, private part and side room (live-agenda.ts). */
  ...agendaRequests,
  /** The agreed plan, written live by the host (live-plan.ts). */
  ...planRequests,
  /** Each participant's line quality, relayed to the room (line-quality.ts). */
  ...lineRequests,
  /**
   * Enters the consultation named by the handshake's credentials and sets up its media in
   * one round trip: straight in with `roomJoin` (or when admitted earlier in this session),
   * else into the waiting room with the transports made. `rtpCapabilities` are the loaded
   * device's (router capabilities come in `welcome`). Sent again on the same socket it
   * re-answers where the participant is and replaces the media (a full media rejoin after a
   * transport or worker failure), without leaving the session.
   */
  join: {
    req: z
      .object({
        rtpCapabilities: RtpCapabilities,
        /**
         * The transports `warmUp` answered are set up and connecting or connected in this
         * browser: the join keeps them (the answer names the same ids) instead of making
         * new ones, so the first picture needs no ICE and DTLS after the click.
         */
        warm: z.boolean().optional(),
      })
      .strict(),
    res: JoinResponse,
  },
  /**
   * The pre-join warms the media up before the person clicks: into a call already running,
   * this socket's transports are made now (nothing consumed or produced, nobody told) and
   * the browser connects them while the person looks at their camera; the `join` that
   * follows keeps them (`warm`). Null when there is nothing to warm: no call running, this
   * participant already in it (another device) or waiting, or this socket already joined.
   */
  warmUp: {
    req: z.object({ rtpCapabilities: RtpCapabilities }).strict(),
    res: z.object({ transports: MediaTransports.nullable() }),
  },
  /**
   * The browser's DTLS parameters. The server applies each socket's requests in order, so a
   * client may send `produce` right behind it without waiting for this ack.
   */
  connectTransport: {
    req: TransportRef.extend({ dtlsParameters: DtlsParameters }),
    res: Empty,
  },
  restartIce: {
    req: TransportRef,
    res: z.object({ iceParameters: IceParameters }),
  },
  produce: {
    req: TransportRef.extend({
      kind: MediaKind,
      rtpParameters: RtpParameters,
      source: TrackSource,
    }),
    res: z.object({ producerId: Id }),
  },
  closeProducer: { req: ProducerRef, res: Empty },
  pauseProducer: { req: ProducerRef, res: Empty },
  resumeProducer: { req: ProducerRef, res: Empty },
  pauseConsumer: { req: ConsumerRef, res: Empty },
  /**
   * For a consumer announced by `newConsumer`, once the browser has created it: media
   * starts flowing. (Consumers in `join`/`admitted` are resumed by the server.)
   */
  resumeConsumer: { req: ConsumerRef, res: Empty },
  /**
   * Several of this receiver's consumers at once, once the browser has set them up: the
   * media start on a receive transport connected in the waiting room (`admitted`). The
   * server resumes those that are the caller's together, asking for a key frame for each
   * video, and answers the ids that are not (closed meanwhile: their `consumerClosed`
   * follows); `not_found` when none is.
   */
  resumeConsumers: {
    req: z.object({ consumerIds: z.array(Id).min(1).max(MAX_RESUME_BATCH) }).strict(),
    res: z.object({ notFound: z.array(Id) }),
  },
  setConsumerPreferredLayers: {
    req: ConsumerRef.extend({
      spatialLayer: z.number().int().min(0).max(2),
      temporalLayer: z.number().int().min(0).max(2).optional(),
    }),
    res: Empty,
  },
  /**
   * What this receiver's tile needs of a video stream (adaptive stream): the highest
   * simulcast layer worth sending for its size, and whether it is seen at all (hidden or off
   * screen: nothing is sent). The server may send less when the link is short.
   */
  setVideoDemand: {
    req: ConsumerRef.extend({
      spatialLayer: z.number().int().min(0).max(2).optional(),
      visible: z.boolean().optional(),
    }).strict(),
    res: Empty,
  },
  /**
   * The audio of `consumerId` has just begun to arrive late: this receiver's link may be
   * queueing (`reportQueueing` confirms it). The SFU notes what it sends to this receiver
   * from now on, to weigh against what arrives.
   */
  reportQueueOnset: { req: ConsumerRef.strict(), res: Empty },
  /**
   * This receiver's link is queueing: the audio of `consumerId` arrives later and later
   * (`excessMs` behind its pace, for the server's log), before any packet is lost. The
   * SFU holds video back until the queue has drained, then sends the smallest layer a moment.
   * `receivedBps`: what this receiver's media transport received since the onset (bit/s).
   * A link that queues is busy all the while: when that is far less than the SFU sent, it is
   * what the link carries, and a link that cannot carry video beside the audio goes audio
   * only at once. `provisional`: found early, when a moment of queueing on a good link looks
   * the same; the SFU acts on it only when that count shows the link delivering less than
   * half of what was sent. The confirmed report of the same queue follows unless the queue
   * drained meanwhile. A count of 80 % or more of what was sent is no queue of this link's.
   */
  reportQueueing: {
    req: ConsumerRef.extend({
      excessMs: z.number().int().min(0).max(60_000),
      provisional: z.boolean().optional(),
      receivedBps: z.number().int().min(0).max(10_000_000_000).optional(),
    }).strict(),
    res: Empty,
  },
  leave: { req: Empty, res: Empty },
  /**
   * Answers at once. The client asks when its media stops arriving: an answer means the
   * server is reachable and only the media path is broken (transport-recovery.ts).
   */
  ping: { req: Empty, res: Empty },
} as const satisfies Record<string, { req: z.ZodType; res: z.ZodType }>;

export type RequestName = keyof typeof requests;
export type RequestOf<K extends RequestName> = z.infer<(typeof requests)[K]['req']>;
export type ResponseOf<K extends RequestName> = z.infer<(typeof requests)[K]['res']>;
export const requestNames = Object.keys(requests) as RequestName[];

export type ClientToServerEvents = {
  [K in RequestName]: (payload: RequestOf<K>, ack: (res: Ack<ResponseOf<K>>) => void) => void;
};

// ---------------------------------------------------------------------------------------
// Notifications (server -> client)

export const notifications = {
  ...sessionNotifications,
  ...agendaNotifications,
  ...planNotifications,
  ...lineNotifications,
  /**
   * The first message on every connection, before any request: what the pre-join needs to
   * warm up (load the mediasoup Device, know the ICE servers) so that `join` is the only
   * round trip before media. TURN credentials are fresh on each connection.
   */
  welcome: z.object({
    routerRtpCapabilities: RtpCapabilities,
    iceServers: z.array(IceServer),
  }),
  /**
   * This node is shutting down (SIGTERM): media keeps flowing until `deadline`, then the
   * socket closes. The client reconnects by itself and re-enters (admission is kept).
   */
  serverDraining: z.object({ deadline: z.string() }),
  /**
   * To a waiting participant: admitted, with the media opened (see `MediaStart`). Without
   * `media` (its room went meanwhile, e.g. a worker died) the client sends `join` again.
   */
  admitted: z.object({
    session: SessionState,
    /** The transports, again: admission may widen grants (a transport made only now). */
    transports: MediaTransports.optional(),
    media: MediaStart.optional(),
  }),
  /** The server saw one of this peer's transports fail for good: set the media up again. */
  transportFailed: z.object({ transportId: Id }),
  peerJoined: z.object({ peer: PeerInfo }),
  peerLeft: z.object({ peerId: Id }),
  /** A paused server-side consumer; create it locally, then send `resumeConsumer`. */
  newConsumer: ConsumerInfo,
  consumerClosed: z.object({ consumerId: Id }),
  consumerPaused: z.object({ consumerId: Id }),
  consumerResumed: z.object({ consumerId: Id }),
  /** The server closed one of this peer's producers (e.g. its transport failed). */
  producerClosed: z.object({ producerId: Id }),
  activeSpeaker: z.object({ peerId: Id.nullable() }),
  /**
   * This receiver's link, as the SFU estimates it: `audioOnly` while it cannot carry video
   * (every video stream to it is paused, audio keeps the link); video comes back by itself
   * when the link recovers. Sent when that changes.
   */
  downlink: z.object({
    audioOnly: z.boolean(),
    estimateKbps: z.number().nonnegative().optional(),
  }),
  /**
   * The media room is gone (e.g. its worker died) or this connection was replaced by
   * another tab of the same participant (`replaced`: do not rejoin). For the others, send
   * `join` again on the same socket: the session (admission, hand, mute) is untouched.
   */
  roomClosed: z.object({ reason: z.enum(['worker_died', 'shutdown', 'replaced']) }),
} as const satisfies Record<string, z.ZodType>;

export type NotificationName = keyof typeof notifications;
export type NotificationOf<K extends NotificationName> = z.infer<(typeof notifications)[K]>;
/** A notification as a value, so server objects can emit it without knowing the socket. */
export type Notification = {
  [K in NotificationName]: { name: K; data: NotificationOf<K> };
}[NotificationName];

export type ServerToClientEvents = {
  [K in NotificationName]: (data: NotificationOf<K>) => void;
};

/** Nothing travels between server nodes yet (one node; the Redis adapter comes later). */
export type InterServerEvents = Record<string, never>;

// ---------------------------------------------------------------------------------------
// Handshake

/**
 * The development handshake (`SIGNALLING_DEV_ROOMS=true`): a room by name and a display
 * name. The session-token handshake replaces it in production.
 */
export const DevHandshakeAuth = z.object({
  room: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'room: 1-64 letters, digits, _ or -'),
  displayName: lineText.trim().min(1).max(80),
});
export type DevHandshakeAuth = z.infer<typeof DevHandshakeAuth>;
