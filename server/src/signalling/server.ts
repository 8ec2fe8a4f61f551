import type { Server as HttpServer } from 'node:http';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { types as msTypes } from 'mediasoup';
import type { FastifyBaseLogger } from 'fastify';
import { z } from 'zod';
import {
  MAX_LINE_REPORTS_PER_SECOND,
  MAX_MESSAGE_BYTES,
  MAX_REQUEST_BYTES,
  requests,
  type Ack,
  type AckError,
  type ClientToServerEvents,
  type IceServer,
  type InterServerEvents,
  type JoinResponse,
  type MediaTransports,
  type Notification,
  type RequestName,
  type RequestOf,
  type ResponseOf,
  type ServerToClientEvents,
  type SessionState,
} from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';
import type { Peer, PeerIdentity } from '../sfu/peer.js';
import type { Room } from '../sfu/room.js';
import type { RoomRegistry } from '../sfu/room-registry.js';
import type { EnterOptions, LiveSession, SessionMember } from '../session/live-session.js';
import type { LiveSessions } from '../session/live-sessions.js';
import { SessionError } from '../session/session-error.js';
import type { SocketAuthenticator, SocketPrincipal } from './authenticator.js';
import { MAX_PAYLOAD_DEPTH, measurePayload } from './payload-limits.js';

const MAX_PENDING_REQUESTS = 64;

export interface SocketData {
  principal: SocketPrincipal;
  /** This connection as the live session sees it. */
  member: SessionMember;
  /** Set by `join` (entering the session). */
  session?: LiveSession;
  /** Set between a successful `join` and leaving (or the room closing); may be waiting. */
  room?: Room;
  peer?: Peer;
  /**
   * The peer `warmUp` prepared before this socket joined (also `peer`): the first `join`
   * keeps it when the client says its transports are still good, else replaces it.
   */
  warmPeer?: Peer;
  /** A `join` is being handled: an admission meanwhile is answered by that join. */
  joining?: boolean;
  /** When this socket's recent `reportLine` requests came (rate limit). */
  lineReports?: number[];
}

export type SignallingServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;
type SignallingSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  InterServerEvents,
  SocketData
>;

type Handler<K extends RequestName> = (
  data: RequestOf<K>,
  socket: SignallingSocket,
  /** Runs `fn` right after the answer (ok or error) has been written to the socket. */
  afterReply: (fn: () => void) => void,
) => Promise<ResponseOf<K>> | ResponseOf<K>;

export interface Signalling {
  readonly io: SignallingServer;
  /**
   * SIGTERM: tells every client the node goes away at `deadline` and refuses connections
   * for sessions not open here (they start on another node, or here after the restart).
   */
  drain(deadline: Date): void;
  close(): void;
}

/** Attaches the typed socket.io server to Fastify's HTTP server (same port, /socket.io). */
export function attachSignalling(opts: {
  httpServer: HttpServer;
  registry: RoomRegistry;
  sessions: LiveSessions;
  authenticator: SocketAuthenticator;
  log: FastifyBaseLogger;
  /** Several nodes (REDIS_URL): the socket.io Redis adapter; default in-memory. */
  adapter?: ServerOptions['adapter'];
  /**
   * Origins whose pages may connect cross-origin (CLUSTER_ALLOWED_ORIGINS): a client sent
   * here by `wrong_node` from another node's page. Empty or absent: same origin only.
   */
  allowedOrigins?: readonly string[];
  /** STUN/TURN servers with fresh credentials for a connection (`welcome`); default none. */
  iceServersFor?: (principal: SocketPrincipal) => IceServer[];
  /** How long joins take to answer (server/src/metrics). */
  metrics?: { observeJoin(outcome: 'admitted' | 'waiting' | 'failed', seconds: number): void };
}): Signalling {
  const { registry, sessions, authenticator } = opts;
  const log = opts.log.child({ module: 'signalling' });
  const io: SignallingServer = new Server(opts.httpServer, {
    path: '/socket.io',
    serveClient: false,
    // Beyond this the transport drops the connection; handlers answer smaller excess.
    maxHttpBufferSize: MAX_MESSAGE_BYTES,
    // A link cut for 10 s keeps its socket: the ping sent into the cut reaches the browser
    // by TCP retransmission once the link is back, within the timeout, so the call's media
    // comes back over its own ICE path at once instead of through a full rejoin. A vanished
    // browser is noticed within about 20 s; a closed tab at once.
    pingInterval: 5_000,
    pingTimeout: 15_000,
    ...(opts.adapter ? { adapter: opts.adapter } : {}),
    // CORS governs the HTTP long-polling transport; exactly the listed origins, never '*'.
    // (WebSocket is not subject to CORS: the handshake's token, not a cookie, authenticates.)
    ...(opts.allowedOrigins?.length
      ? { cors: { origin: [...opts.allowedOrigins], methods: ['GET', 'POST'] } }
      : {}),
  });

  let draining: Date | undefined;
  io.use((socket, next) => {
    const { auth, headers, address } = socket.handshake;
    authenticator
      .authenticate({ auth: auth as Record<string, unknown>, headers, address })
      .then((result) => {
        if (result.ok) {
          const cid = result.principal.grants.consultationId;
          const open = sessions.get(cid);
          if (draining && (!open || open.closed)) {
            const error = new Error('This server is restarting; try again shortly');
            next(Object.assign(error, { data: { code: 'unavailable' } }));
            return;
          }
          socket.data.principal = { ...result.principal, clientAddress: address };
          next();
        } else {
          next(Object.assign(new Error(result.message), { data: { code: result.code } }));
        }
      })
      .catch((err: unknown) => {
        log.error({ err }, 'authenticator failed');
        next(Object.assign(new Error('Authentication failed'), { data: { code: 'internal' } }));
      });
  });

  io.on('connection', (socket) => {
    socket.data.member = {
      principal: socket.data.principal,
      notify: (n) => emitNotification(socket, n),
      admitted: (session) => openMedia(socket, session),
      // Queued notifications (removed, denied, sessionEnded) are flushed before closing.
      disconnect: () => socket.disconnect(true),
    };
    // Before any answer: the client loads its device and knows its ICE servers with this.
    emitNotification(socket, {
      name: 'welcome',
      data: {
        routerRtpCapabilities: registry.routerRtpCapabilities,
        iceServers: opts.iceServersFor?.(socket.data.principal) ?? [],
      },
    });
    if (draining) {
      emitNotification(socket, {
        name: 'serverDraining',
        data: { deadline: draining.toISOString() },
      });
    }
    // One request at a time per socket: the order the client sent is the order applied.
    let queue: Promise<void> = Promise.resolve();
    let pending = 0;
    socket.onAny((event: string, ...args: unknown[]) => {
      const ack = args.at(-1);
      if (typeof ack !== 'function') {
        log.debug({ event }, 'request without ack ignored');
        return;
      }
      const reply = (res: Ack<unknown>) => (ack as (r: Ack<unknown>) => void)(res);
      // A flooding client must not queue unbounded work (or memory) on the server.
      if (pending >= MAX_PENDING_REQUESTS) {
        reply({
          ok: false,
          error: { code: 'rate_limited', message: 'Too many requests in flight' },
        });
        return;
      }
      pending++;
      queue = queue
        .then(() => dispatch(socket, event, args.slice(0, -1), reply))
        .finally(() => pending--);
    });
    socket.on('disconnect', () => {
      const { room, peer, session, member } = socket.data;
      if (room && peer) room.leave(peer);
      socket.data.room = undefined;
      socket.data.peer = undefined;
      session?.leave(member, 'disconnected');
      socket.data.session = undefined;
    });
  });

  async function dispatch(
    socket: SignallingSocket,
    event: string,
    args: unknown[],
    reply: (res: Ack<unknown>) => void,
  ): Promise<void> {
    const after: (() => void)[] = [];
    try {
      if (!isRequestName(event)) throw new DomainError('bad_request', `Unknown request "${event}"`);
      if (args.length !== 1)
        throw new DomainError('bad_request', 'Expected one payload and an ack');
      // Measured without recursion: a deeply nested payload is bad input, not a crash.
      const size = measurePayload(args[0] ?? null, MAX_REQUEST_BYTES);
      if (!size.ok && size.problem === 'too_deep') {
        throw new DomainError(
          'bad_request',
          `Payload nests deeper than ${MAX_PAYLOAD_DEPTH} levels`,
        );
      }
      if (!size.ok) {
        throw new DomainError(
          'payload_too_large',
          `Payload is over ${MAX_REQUEST_BYTES} bytes; at most ${MAX_REQUEST_BYTES} are accepted`,
        );
      }
      const parsed = requests[event].req.safeParse(args[0]);
      if (!parsed.success) {
        throw new DomainError(
          'bad_request',
          `Invalid ${event} payload: ${summarize(parsed.error)}`,
        );
      }
      const data = await (handlers[event] as Handler<RequestName>)(
        parsed.data as RequestOf<RequestName>,
        socket,
        (fn) => after.push(fn),
      );
      reply({ ok: true, data });
    } catch (err) {
      const error = toAckError(err);
      if (error.code === 'internal') log.error({ err, event }, 'signalling handler failed');
      else log.debug({ event, error }, 'request rejected');
      reply({ ok: false, error });
    } finally {
      for (const fn of after) fn();
    }
  }

  const joined = (socket: SignallingSocket): { room: Room; peer: Peer } => {
    const { room, peer } = socket.data;
    if (!room || !peer || peer.closed)
      throw new DomainError('invalid_state', 'Join the room first');
    return { room, peer };
  };

  const enterSession = async (member: SessionMember, opts: EnterOptions) => {
    const cid = member.principal.grants.consultationId;
    // A session that just closed because the last person left is replaced by a new one.
    for (let attempt = 0; ; attempt++) {
      const session = await sessions.acquire(cid);
      try {
        return { session, result: await session.enter(member, opts) };
      } catch (err) {
        const emptied = session.closed && sessions.get(cid) !== session;
        if (!emptied || attempt > 0 || !(err instanceof SessionError)) throw err;
      }
    }
  };

  const enter = async (socket: SignallingSocket, opts: EnterOptions) => {
    const { member } = socket.data;
    // Again on the same socket (a media rejoin): where they already are.
    const current = socket.data.session;
    if (current && !current.closed && current.isPresent(member)) {
      return current.enter(member, opts);
    }
    const { session, result } = await enterSession(member, opts);
    // Gone while entering: the disconnect handler found no session, so leave here.
    if (socket.disconnected) {
      session.leave(member, 'disconnected');
      throw new DomainError('invalid_state', 'Disconnected while entering');
    }
    socket.data.session = session;
    return result;
  };

  /** The caller's live session, once they are in it (waiting or admitted). */
  const inSession = (socket: SignallingSocket): { session: LiveSession; member: SessionMember } => {
    const { session, member } = socket.data;
    if (!session || !session.isPresent(member)) {
      throw new SessionError('invalid_state', 'not_admitted', 'Enter the session first');
    }
    return { session, member };
  };

  const livePlan = () => {
    if (!sessions.plan) throw new DomainError('invalid_state', 'No plan on this server');
    return sessions.plan;
  };

  const handlers: { [K in RequestName]: Handler<K> } = {
    async join(data, socket, afterReply) {
      const started = performance.now();
      let outcome: 'admitted' | 'waiting' | 'failed' = 'failed';
      try {
        const answer = await join(socket, data, afterReply);
        outcome = answer.status;
        return answer;
      } finally {
        opts.metrics?.observeJoin(outcome, (performance.now() - started) / 1000);
      }
    },
    async warmUp({ rtpCapabilities }, socket) {
      const { principal } = socket.data;
      // Only before joining, once, into a call that runs, for someone not in it already:
      // another device's peer in the room must not be displaced by a pre-join.
      if (socket.data.session || socket.data.peer || draining) return { transports: null };
      const room = registry.get(principal.grants.consultationId);
      if (!room || room.closed || room.has(principal.grants.participantId)) {
        return { transports: null };
      }
      const peer = await room.prepare(identityOf(principal), rtpCapabilities, (n) =>
        emitNotification(socket, n),
      );
      if (socket.disconnected) {
        room.leave(peer);
        return { transports: null };
      }
      bindPeer(socket, room, peer);
      socket.data.warmPeer = peer;
      return { transports: transportsOf(peer) };
    },
    async admit({ participantId }, socket) {
      const { session, member } = inSession(socket);
      await session.admit(member, participantId);
      return {};
    },
    deny({ participantId, reason }, socket) {
      const { session, member } = inSession(socket);
      session.deny(member, participantId, reason);
      return {};
    },
    removeParticipant({ participantId }, socket) {
      const { session, member } = inSession(socket);
      session.remove(member, participantId);
      return {};
    },
    async muteParticipant({ participantId }, socket) {
      const { session, member } = inSession(socket);
      await session.mute(member, participantId);
      return {};
    },
    askToUnmute({ participantId }, socket) {
      const { session, member } = inSession(socket);
      session.askToUnmute(member, participantId);
      return {};
    },
    endSession(_data, socket) {
      const { session, member } = inSession(socket);
      session.end(member, 'ended_by_host');
      // After the ack has been written (dispatch replies before the next macrotask).
      setImmediate(() => socket.disconnect(true));
      return {};
    },
    sendChat({ text }, socket) {
      const { session, member } = inSession(socket);
      return { messageId: session.sendChat(member, text) };
    },
    raiseHand({ raised }, socket) {
      const { session, member } = inSession(socket);
      session.raiseHand(member, raised);
      return {};
    },
    setRoster({ people }, socket) {
      const { session, member } = inSession(socket);
      session.setRoster(member, people);
      return {};
    },
    async planGet(_data, socket) {
      const { session, member } = inSession(socket);
      return { items: await livePlan().list(session, member) };
    },
    async planAdd(item, socket) {
      const { session, member } = inSession(socket);
      return { item: await livePlan().add(session, member, item) };
    },
    async planUpdate({ itemId, patch }, socket) {
      const { session, member } = inSession(socket);
      return { item: await livePlan().update(session, member, itemId, patch) };
    },
    async planRemove({ itemId }, socket) {
      const { session, member } = inSession(socket);
      await livePlan().remove(session, member, itemId);
      return {};
    },
    async moveToPart({ partId }, socket) {
      const { session, member } = inSession(socket);
      await session.moveToPart(member, partId);
      return {};
    },
    async connectTransport({ transportId, dtlsParameters }, socket) {
      await joined(socket).peer.connectTransport(transportId, dtlsParameters);
      return {};
    },
    ping() {
      return {};
    },
    async restartIce({ transportId }, socket) {
      return { iceParameters: await joined(socket).peer.restartIce(transportId) };
    },
    async produce(data, socket) {
      const { room, peer } = joined(socket);
      // A host's mute holds until the participant unmutes, across reconnects too.
      const muted =
        data.source === 'microphone' && (socket.data.session?.isMutedByHost(peer.id) ?? false);
      return { producerId: await room.produce(peer, { ...data, paused: muted }) };
    },
    closeProducer({ producerId }, socket) {
      joined(socket).peer.closeProducer(producerId);
      return {};
    },
    async pauseProducer({ producerId }, socket) {
      await joined(socket).peer.producer(producerId).pause();
      return {};
    },
    async resumeProducer({ producerId }, socket) {
      const producer = joined(socket).peer.producer(producerId);
      await producer.resume();
      if (producer.appData.source === 'microphone') {
        socket.data.session?.unmutedBySelf(socket.data.member);
      }
      return {};
    },
    async pauseConsumer({ consumerId }, socket) {
      await joined(socket).peer.setConsumerPaused(consumerId, true);
      return {};
    },
    async resumeConsumer({ consumerId }, socket) {
      await joined(socket).peer.setConsumerPaused(consumerId, false);
      return {};
    },
    resumeConsumers({ consumerIds }, socket) {
      return joined(socket).peer.resumeConsumers(consumerIds);
    },
    async setVideoDemand({ consumerId, spatialLayer, visible }, socket) {
      await joined(socket).peer.setVideoDemand(consumerId, {
        ...(spatialLayer !== undefined ? { spatialLayer } : {}),
        ...(visible !== undefined ? { visible } : {}),
      });
      return {};
    },
    reportQueueOnset({ consumerId }, socket) {
      joined(socket).peer.reportQueueOnset(consumerId);
      return {};
    },
    reportQueueing({ consumerId, excessMs, provisional, receivedBps }, socket) {
      // Two per queue held (about one a second at most while it stays); the adapter judges one
      // per fall anyway.
      const { room, peer } = joined(socket);
      peer.reportQueueing(
        consumerId,
        {
          excessMs,
          provisional: provisional ?? false,
          ...(receivedBps !== undefined ? { receivedBps } : {}),
        },
        (senderId) => room.peer(senderId)?.linkGaveWayLately ?? false,
      );
      return {};
    },
    async setConsumerPreferredLayers({ consumerId, spatialLayer, temporalLayer }, socket) {
      await joined(socket).peer.setPreferredLayers(consumerId, {
        spatialLayer,
        ...(temporalLayer !== undefined ? { temporalLayer } : {}),
      });
      return {};
    },
    reportLine(report, socket) {
      const { room, peer } = joined(socket);
      // Reports come every couple of seconds; a flood is refused, not relayed.
      const now = Date.now();
      const recent = (socket.data.lineReports ?? []).filter((t) => now - t < 1000);
      if (recent.length >= MAX_LINE_REPORTS_PER_SECOND) {
        throw new DomainError('rate_limited', 'Line reports come too often');
      }
      socket.data.lineReports = [...recent, now];
      room.relayLine(peer, report);
      return {};
    },
    leave(_data, socket) {
      const { room, peer } = joined(socket);
      room.leave(peer);
      socket.data.session?.leave(socket.data.member, 'left');
      socket.data.session = undefined;
      return {};
    },
  };

  /**
   * Enters the session (or re-answers where this socket is) and prepares the media: the
   * transports always, the media start once admitted. A second `join` on the same socket
   * replaces the media (after a transport or worker failure) and leaves the session alone.
   */
  async function join(
    socket: SignallingSocket,
    { rtpCapabilities, warm }: RequestOf<'join'>,
    afterReply: (fn: () => void) => void,
  ): Promise<JoinResponse> {
    socket.data.joining = true;
    const warmPeer = socket.data.warmPeer;
    socket.data.warmPeer = undefined;
    // Settles once the answer has gone: a direct entry's database writes wait for it.
    const answered = new Promise<void>((resolve) => afterReply(resolve));
    try {
      const entry = await enter(socket, { answered });
      const { principal, member } = socket.data;
      const session = socket.data.session;
      if (!session) throw new DomainError('invalid_state', 'Not in the session');
      // The session's agenda decides who may receive whom in its room (private part).
      const room = await registry.getOrCreate(principal.grants.consultationId, {
        scope: session.mediaScope,
      });
      // Warmed up by the pre-join and still good in the browser: kept. Otherwise a new
      // peer, which replaces any earlier one of this participant (and closes it).
      const peer =
        warm && warmPeer && !warmPeer.closed && room.isWaiting(warmPeer)
          ? warmPeer
          : await room.prepare(identityOf(principal), rtpCapabilities, (n) =>
              emitNotification(socket, n),
            );
      if (socket.disconnected || !session.isPresent(member)) {
        room.leave(peer);
        throw new DomainError('invalid_state', 'Disconnected while joining');
      }
      bindPeer(socket, room, peer);
      // Admitted now, before, or while the transports were made (then this answers it).
      if (!session.isAdmitted(member)) {
        if (entry.status !== 'waiting') throw new DomainError('invalid_state', 'Not waiting');
        return { status: 'waiting', lobbyEntry: entry.lobbyEntry, transports: transportsOf(peer) };
      }
      // What others announce meanwhile follows the answer (it holds the media start).
      peer.hold();
      afterReply(() => peer.release());
      const media = await room.admit(peer, principal.grants);
      return {
        status: 'admitted',
        session: session.stateOf(member),
        transports: transportsOf(peer),
        media,
      };
    } finally {
      socket.data.joining = false;
    }
  }

  /** Admitted from the waiting room: the prepared peer goes in, the client gets its media. */
  async function openMedia(socket: SignallingSocket, session: SessionState): Promise<void> {
    // A join in progress sees the admission itself and answers with the media.
    if (socket.data.joining) return;
    const { room, peer, principal } = socket.data;
    try {
      if (!room || !peer || peer.closed) throw new DomainError('invalid_state', 'No media yet');
      // What others announce meanwhile follows `admitted` (it holds the media start).
      peer.hold();
      try {
        const media = await room.admit(peer, principal.grants);
        emitNotification(socket, {
          name: 'admitted',
          data: { session, transports: transportsOf(peer), media },
        });
      } finally {
        peer.release();
      }
    } catch (err) {
      // The room went meanwhile (its worker died): the client joins again for its media.
      log.debug({ err }, 'media not opened at admission');
      emitNotification(socket, { name: 'admitted', data: { session } });
    }
  }

  function bindPeer(socket: SignallingSocket, room: Room, peer: Peer): void {
    socket.data.room = room;
    socket.data.peer = peer;
    peer.once('close', () => {
      if (socket.data.peer === peer) {
        socket.data.peer = undefined;
        socket.data.room = undefined;
      }
    });
  }

  return {
    io,
    drain(deadline) {
      draining = deadline;
      io.local.emit('serverDraining', { deadline: deadline.toISOString() });
    },
    close() {
      // Fastify owns the HTTP server and closes it; only end the sockets here.
      io.local.disconnectSockets(true);
      io.engine.close();
    },
  };
}

/** Who a socket's peer is: its participant, name, role and grants from the handshake. */
function identityOf(principal: SocketPrincipal): PeerIdentity {
  return {
    id: principal.grants.participantId,
    displayName: principal.displayName,
    ...(principal.role ? { role: principal.role } : {}),
    grants: principal.grants,
  };
}

function transportsOf(peer: Peer): MediaTransports {
  return { peerId: peer.id, ...peer.transportOptions() };
}

function isRequestName(event: string): event is RequestName {
  return Object.hasOwn(requests, event);
}

function emitNotification(socket: SignallingSocket, n: Notification): void {
  // The union is checked where it is built; socket.io's overloads cannot follow it.
  (socket.emit as (event: string, data: unknown) => boolean)(n.name, n.data);
}

function summarize(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** Maps any failure to a stable code; internals never leak into the message. */
export function toAckError(err: unknown): AckError {
  if (err instanceof SessionError) {
    return {
      code: err.code,
      message: err.message,
      reason: err.reason,
      ...(err.redirectUrl ? { redirectUrl: err.redirectUrl } : {}),
    };
  }
  if (err instanceof DomainError) return { code: err.code, message: err.message };
  // mediasoup rejects bad parameters with TypeError and unsupported ones with UnsupportedError.
  if (err instanceof msTypes.UnsupportedError || err instanceof TypeError) {
    return { code: 'bad_request', message: err.message };
  }
  if (err instanceof msTypes.InvalidStateError)
    return { code: 'invalid_state', message: err.message };
  if (err instanceof Error && /not found/i.test(err.message)) {
    return { code: 'not_found', message: err.message };
  }
  return { code: 'internal', message: 'Internal error' };
}
