/**
 * One headless participant: werift (a WebRTC stack in TypeScript) driven by msc-node (a
 * mediasoup-client port), so ICE, DTLS, SRTP, RTCP, NACK and transport-wide congestion
 * control feedback are real. It sends a synthetic camera and microphone and counts every
 * RTP packet it receives per remote stream.
 */
import { Device, type types as msc } from 'msc-node';
import {
  MediaStreamTrack,
  RTCRtpCodecParameters,
  useAudioLevelIndication,
  useFIR,
  useNACK,
  usePLI,
  useSdesMid,
  type RtpPacket,
} from 'werift';
import { SyntheticSource, type MediaProfile } from './media.js';
import { SeqTracker, sumCounts, type SeqCounts } from './seq-tracker.js';
import { openSignalling, type SfuDialect, type SfuSignalling } from './signalling.js';

type TransportOptions = msc.TransportOptions;

const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/**
 * Opus with its audio level, VP8 with NACK, PLI and FIR. No transport-cc: werift runs its
 * feedback per stream, not per transport, which would feed mediasoup's estimator nonsense,
 * and its cost would crowd the load core; both servers get the same, so the ratio holds.
 */
function weriftCapabilities() {
  return {
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          rtcpFeedback: [useNACK(), usePLI(), useFIR()],
        }),
      ],
    },
    headerExtensions: {
      audio: [useSdesMid(), useAudioLevelIndication()],
      video: [useSdesMid()],
    },
  };
}

/** werift leaves loopback out of its host candidates; the servers listen on 127.0.0.1. */
const ICE_SETTINGS = {
  iceUseIpv6: false,
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceInterfaceAddresses: { udp4: '127.0.0.1' },
};

export interface ReceivedStream {
  peerId: string;
  kind: 'audio' | 'video';
  /** Offered while joining: the remote participant was already in the room. */
  atJoin: boolean;
  /** ms from this participant's start to the stream's first packet. */
  firstPacketMs?: number;
  tracker: SeqTracker;
}

export interface JoinTimes {
  /** Connect -> first RTP from anyone already sending when this participant joined. */
  firstPacketMs?: number;
  /** Connect -> first RTP of every stream already sent when it joined (video needs a key frame). */
  allStreamsMs?: number;
}

const joinTimesOf = (streams: ReceivedStream[]): JoinTimes => {
  const atJoin = streams.filter((s) => s.atJoin);
  if (atJoin.length === 0) return {};
  const firsts = atJoin.map((s) => s.firstPacketMs);
  const arrived = firsts.filter((t): t is number => t !== undefined);
  return {
    ...(arrived.length > 0 ? { firstPacketMs: Math.min(...arrived) } : {}),
    ...(arrived.length === firsts.length ? { allStreamsMs: Math.max(...arrived) } : {}),
  };
};

export class Participant {
  readonly name: string;
  readonly room: string;
  readonly streams = new Map<string, ReceivedStream>();
  source?: SyntheticSource;
  #signalling?: SfuSignalling;
  #startedAt = 0;
  #joining = true;
  #closers: (() => void)[] = [];

  constructor(name: string, room: string) {
    this.name = name;
    this.room = room;
  }

  get errors(): string[] {
    return this.#signalling?.errors ?? [];
  }

  /** Joins, creates both transports, receives everyone and publishes. */
  async join(opts: {
    dialect: SfuDialect;
    url: string;
    profile: MediaProfile;
    phaseMs: number;
  }): Promise<void> {
    this.#startedAt = performance.now();
    const signalling = await openSignalling(opts.dialect, opts.url, this.room, this.name);
    this.#signalling = signalling;
    const device = new Device(weriftCapabilities());
    const join = await signalling.join(async (routerRtpCapabilities) => {
      await device.load({ routerRtpCapabilities: routerRtpCapabilities as never });
      return device.rtpCapabilities;
    });

    const send = device.createSendTransport({
      ...(join.sendTransport as TransportOptions),
      additionalSettings: ICE_SETTINGS,
    });
    send.on('connect', ({ dtlsParameters }, callback, errback) => {
      signalling.connectTransport(send.id, dtlsParameters).then(callback, errback);
    });
    send.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      const source = (appData as { source: 'camera' | 'microphone' }).source;
      signalling
        .produce(send.id, kind, rtpParameters, source)
        .then((id) => callback({ id }), errback);
    });
    const recv = device.createRecvTransport({
      ...(join.recvTransport as TransportOptions),
      additionalSettings: ICE_SETTINGS,
    });
    recv.on('connect', ({ dtlsParameters }, callback, errback) => {
      signalling.connectTransport(recv.id, dtlsParameters).then(callback, errback);
    });
    this.#closers.push(
      () => send.close(),
      () => recv.close(),
    );

    signalling.onConsumer(async (offer) => {
      const stream: ReceivedStream = {
        peerId: offer.peerId,
        kind: offer.kind,
        atJoin: this.#joining,
        tracker: new SeqTracker(),
      };
      this.streams.set(offer.id, stream);
      const consumer = await recv.consume({
        id: offer.id,
        producerId: offer.producerId,
        kind: offer.kind,
        rtpParameters: offer.rtpParameters as never,
      });
      const track = consumer.track as unknown as MediaStreamTrack;
      const { unSubscribe } = track.onReceiveRtp.subscribe((rtp: RtpPacket) => {
        if (!stream.tracker.started) stream.firstPacketMs = performance.now() - this.#startedAt;
        stream.tracker.add(rtp.header.sequenceNumber);
      });
      this.#closers.push(unSubscribe);
    });
    // Everything offered until `ready` is answered was in the room before this participant.
    await signalling.ready(device.rtpCapabilities);
    this.#joining = false;

    const videoTrack = new MediaStreamTrack({ kind: 'video' });
    const audioTrack = new MediaStreamTrack({ kind: 'audio' });
    const video = await send.produce({
      track: videoTrack as never,
      appData: { source: 'camera' },
    });
    const audio = await send.produce({
      track: audioTrack as never,
      appData: { source: 'microphone' },
    });
    const audioLevelId = audio.rtpParameters.headerExtensions?.find(
      (e) => e.uri === AUDIO_LEVEL_URI,
    )?.id;
    const source = new SyntheticSource({
      profile: opts.profile,
      video: videoTrack,
      audio: audioTrack,
      startedAt: performance.now(),
      phaseMs: opts.phaseMs,
      ...(audioLevelId !== undefined ? { audioLevelExtensionId: audioLevelId } : {}),
    });
    const sender = video.rtpSender;
    const pli = sender?.onPictureLossIndication.subscribe(() => source.requestKeyFrame());
    if (pli) this.#closers.push(pli.unSubscribe);
    this.source = source;
  }

  joinTimes(): JoinTimes {
    return joinTimesOf([...this.streams.values()]);
  }

  /** Remote streams that delivered at least one packet. */
  get receivingStreams(): number {
    return [...this.streams.values()].filter((s) => s.tracker.started).length;
  }

  counts(): SeqCounts {
    return sumCounts([...this.streams.values()].map((s) => s.tracker.counts()));
  }

  close(): void {
    for (const close of this.#closers.splice(0)) {
      try {
        close();
      } catch {
        // Closing twice or after the server went away: nothing left to release.
      }
    }
    this.#signalling?.close();
  }
}
