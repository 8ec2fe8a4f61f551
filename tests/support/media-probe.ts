import type { BrowserContext, Page } from 'playwright-core';

/**
 * Media a test can recognise after it went through the SFU: each participant's camera is
 * a solid colour and their microphone a sine tone of their own frequency. A probe on the
 * receiving page then says, from decoded frames and decoded audio, whose media reached it,
 * and reads the receiving peer connections' packet and byte counters, independent of what
 * the app shows (every RTCPeerConnection the page creates and every track it receives).
 */

export interface Signature {
  /** RGB of the camera picture. */
  rgb: [number, number, number];
  /** Frequency of the microphone's tone (Hz). */
  toneHz: number;
}

/**
 * Init script: getUserMedia answers with this signature's picture and tone, on pages whose
 * path starts with `onPath` (default: every page). Decided at each call, so a single-page
 * navigation from the pre-join (real fake devices, device checks) to the call counts.
 */
export async function useSignatureMedia(
  context: BrowserContext,
  sig: Signature,
  onPath = '/',
): Promise<void> {
  await context.addInitScript(
    ([s, prefix]: [Signature, string]) => {
      const devices = navigator.mediaDevices;
      if (!devices) return;
      const native = devices.getUserMedia.bind(devices);
      const make = (): MediaStream => {
        const canvas = document.createElement('canvas');
        canvas.width = 320;
        canvas.height = 240;
        const g = canvas.getContext('2d')!;
        let tick = 0;
        // A small moving mark keeps the encoder sending real frames; the rest is the colour.
        setInterval(() => {
          g.fillStyle = `rgb(${s.rgb.join(',')})`;
          g.fillRect(0, 0, 320, 240);
          g.fillStyle = 'rgb(128,128,128)';
          g.fillRect((tick++ * 8) % 300, 0, 20, 12);
        }, 66);
        const video = canvas.captureStream(15).getVideoTracks()[0]!;
        const audioCtx = new AudioContext();
        const osc = audioCtx.createOscillator();
        osc.frequency.value = s.toneHz;
        const gain = audioCtx.createGain();
        gain.gain.value = 0.3;
        const dest = audioCtx.createMediaStreamDestination();
        osc.connect(gain).connect(dest);
        osc.start();
        void audioCtx.resume();
        return new MediaStream([dest.stream.getAudioTracks()[0]!, video]);
      };
      devices.getUserMedia = (constraints?: MediaStreamConstraints) => {
        if (!location.pathname.startsWith(prefix)) return native(constraints);
        const stream = make();
        if (!constraints?.video) stream.getVideoTracks().forEach((t) => stream.removeTrack(t));
        if (!constraints?.audio) stream.getAudioTracks().forEach((t) => stream.removeTrack(t));
        return Promise.resolve(stream);
      };
    },
    [sig, onPath] as [Signature, string],
  );
}

/** Init script: keeps every peer connection and every track it receives, for the probe. */
export async function recordReceivedMedia(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const w = window as unknown as {
      __probePcs: RTCPeerConnection[];
      __probeTracks: MediaStreamTrack[];
    };
    w.__probePcs = [];
    w.__probeTracks = [];
    const Native = window.RTCPeerConnection;
    const Recording = function (this: unknown, ...args: ConstructorParameters<typeof Native>) {
      const pc = new Native(...args);
      w.__probePcs.push(pc);
      pc.addEventListener('track', (e) => w.__probeTracks.push(e.track));
      return pc;
    } as unknown as typeof RTCPeerConnection;
    Recording.prototype = Native.prototype;
    Object.assign(Recording, Native);
    window.RTCPeerConnection = Recording;
  });
}

export interface Counters {
  /** Bytes the receiving side's transports got (all SRTP/SRTCP, known SSRC or not). */
  transportBytes: number;
  /** Sum over inbound RTP streams the page knows (payload and RTP headers). */
  inboundBytes: number;
  inboundPackets: number;
}

export interface ProbeResult {
  /** Per live received video track: the nearest signature colour of its decoded frames. */
  seen: string[];
  /** Per live received audio track: the signature tones found in its decoded audio. */
  heard: string[];
  /** Counters at the start and the end of the window. */
  before: Counters;
  after: Counters;
}

/**
 * Watches what the page receives for `ms`: decoded frames (sampled from every live remote
 * video track) and decoded audio (FFT of every live remote audio track), classified by the
 * nearest signature; and the receive counters before and after.
 */
export async function probeReceived(
  page: Page,
  signatures: Record<string, Signature>,
  ms: number,
): Promise<ProbeResult> {
  return page.evaluate(
    async ({ sigs, ms }) => {
      const w = window as unknown as {
        __probePcs: RTCPeerConnection[];
        __probeTracks: MediaStreamTrack[];
      };
      const counters = async () => {
        const c = { transportBytes: 0, inboundBytes: 0, inboundPackets: 0 };
        for (const pc of w.__probePcs) {
          if (pc.connectionState === 'closed') continue;
          const report = await pc.getStats();
          report.forEach((s: Record<string, unknown> & { type: string }) => {
            if (s.type === 'transport') c.transportBytes += Number(s.bytesReceived ?? 0);
            if (s.type === 'inbound-rtp') {
              c.inboundBytes += Number(s.bytesReceived ?? 0) + Number(s.headerBytesReceived ?? 0);
              c.inboundPackets += Number(s.packetsReceived ?? 0);
            }
          });
        }
        return c;
      };
      const names = Object.keys(sigs);
      const nearest = (rgb: number[]) =>
        names
          .map((n) => ({
            n,
            d: sigs[n]!.rgb.reduce((acc, v, i) => acc + (v - rgb[i]!) ** 2, 0),
          }))
          .sort((a, b) => a.d - b.d)[0]!.n;

      // Every receiver of every peer connection (a reused transceiver fires no new 'track'),
      // plus every track seen by 'track' events; the live ones are what can still play.
      const receivers = w.__probePcs
        .filter((pc) => pc.connectionState !== 'closed')
        .flatMap((pc) => pc.getReceivers().map((r) => r.track));
      const live = [...new Set([...receivers, ...w.__probeTracks])].filter(
        (t) => t.readyState === 'live',
      );
      const before = await counters();
      const seen: string[] = [];
      const heard: string[] = [];
      const within = <T>(p: Promise<T>, ms: number) =>
        Promise.race([p, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
      const ctx = new AudioContext();
      await within(ctx.resume(), 1000);
      const jobs = live.map(async (track) => {
        if (track.kind === 'video') {
          const video = document.createElement('video');
          video.muted = true;
          video.srcObject = new MediaStream([track]);
          await within(
            video.play().catch(() => undefined),
            1000,
          );
          const canvas = document.createElement('canvas');
          canvas.width = 32;
          canvas.height = 24;
          const g = canvas.getContext('2d', { willReadFrequently: true })!;
          const found = new Set<string>();
          const end = performance.now() + ms;
          while (performance.now() < end) {
            if (video.videoWidth > 0) {
              g.drawImage(video, 0, 0, 32, 24);
              // The lower half: the moving mark runs along the top.
              const px = g.getImageData(8, 14, 16, 8).data;
              let r = 0;
              let gr = 0;
              let b = 0;
              for (let i = 0; i < px.length; i += 4) {
                r += px[i]!;
                gr += px[i + 1]!;
                b += px[i + 2]!;
              }
              const n = px.length / 4;
              found.add(nearest([r / n, gr / n, b / n]));
            }
            await new Promise((r) => setTimeout(r, 150));
          }
          video.srcObject = null;
          seen.push(...found);
        } else {
          const source = ctx.createMediaStreamSource(new MediaStream([track]));
          const analyser = ctx.createAnalyser();
          analyser.fftSize = 8192;
          analyser.smoothingTimeConstant = 0;
          source.connect(analyser);
          const bins = new Float32Array(analyser.frequencyBinCount);
          const hz = ctx.sampleRate / analyser.fftSize;
          const found = new Set<string>();
          const end = performance.now() + ms;
          while (performance.now() < end) {
            analyser.getFloatFrequencyData(bins);
            // Each track carries one person's tone: the strongest signature frequency, when it
            // stands clearly above the codec's noise, says whose.
            const levels = names.map((n) => {
              const i = Math.round(sigs[n]!.toneHz / hz);
              return { n, db: Math.max(bins[i - 1]!, bins[i]!, bins[i + 1]!) };
            });
            const top = levels.sort((a, b) => b.db - a.db)[0];
            if (top && top.db > -45) found.add(top.n);
            await new Promise((r) => setTimeout(r, 100));
          }
          source.disconnect();
          heard.push(...found);
        }
      });
      await Promise.all(jobs);
      await within(ctx.close(), 1000);
      return { seen, heard, before, after: await counters() };
    },
    { sigs: signatures, ms },
  );
}
