import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/*
 * A speech-like microphone signal for Chromium (`--use-file-for-fake-audio-capture`), made
 * here rather than recorded (no licence to check): syllables of a glottal pulse train with a
 * gliding pitch, shaped by three vowel formants, with fricative noise and short pauses.
 *
 * Why not Chromium's own fake microphone: it beeps a pure tone and is otherwise silent. Opus
 * protects a packet with in-band FEC (LBRR) only in its SILK and hybrid modes and only for
 * frames its voice activity detector calls speech, so a tone gives receivers little or no
 * FEC to recover from, whatever the encoder is told about loss.
 */

const RATE = 48_000;

/** Formants (Hz) of a few vowels: a, i, u, e, o. */
const VOWELS: [number, number, number][] = [
  [730, 1090, 2440],
  [270, 2290, 3010],
  [300, 870, 2240],
  [530, 1840, 2480],
  [570, 840, 2410],
];

/** Deterministic noise, so every run plays the same signal. */
function lcg(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32 - 0.5;
  };
}

/** Mono 16-bit samples of `seconds` of synthetic speech. */
export function speechSamples(seconds = 6): Int16Array {
  const n = Math.round(seconds * RATE);
  const out = new Float64Array(n);
  const noise = lcg(9);
  // Two-pole resonators, one per formant, with formants gliding between vowels.
  const state = VOWELS[0]!.map(() => [0, 0]);
  const formants = [...VOWELS[0]!];
  let phase = 0;
  let glottal = 0;
  let t = 0;
  let syllable = 0;
  while (t < n) {
    // A syllable of 100-260 ms, then 30-150 ms of pause (every sixth: a longer one).
    const len = Math.round(RATE * (0.1 + (0.16 * ((syllable * 37) % 11)) / 10));
    const pause = Math.round(
      RATE * (syllable % 6 === 5 ? 0.3 : 0.03 + (0.12 * ((syllable * 53) % 7)) / 6),
    );
    const from = VOWELS[syllable % VOWELS.length]!;
    const to = VOWELS[(syllable * 3 + 1) % VOWELS.length]!;
    const f0Start = 95 + ((syllable * 29) % 60);
    const f0End = f0Start * (syllable % 3 === 0 ? 1.2 : 0.8);
    // A consonant before most syllables: a fricative (noise) or a plosive (a burst).
    const kind = syllable % 4;
    const onset = kind === 1 ? Math.round(RATE * 0.07) : kind === 3 ? Math.round(RATE * 0.015) : 0;
    let period = 0;
    let amp = 1;
    for (let i = 0; i < len + pause && t < n; i++, t++) {
      let x = 0;
      const voiced = i >= onset && i < len;
      if (i < onset) {
        x = noise() * (kind === 1 ? 0.5 : 1.2);
      } else if (voiced) {
        const k = (i - onset) / Math.max(1, len - onset);
        // Pitch with jitter, amplitude with shimmer, per glottal period.
        if (phase === 0 || period <= 0) {
          const f0 = (f0Start + (f0End - f0Start) * k) * (1 + noise() * 0.04);
          period = Math.round(RATE / f0);
          amp = 1 + noise() * 0.2;
          phase = 0;
        }
        // Rosenberg glottal pulse (open 40 %, closing 16 % of the period), differentiated.
        const p = phase / period;
        const open = 0.4;
        const close = 0.16;
        const g =
          p < open
            ? 0.5 * (1 - Math.cos((Math.PI * p) / open))
            : p < open + close
              ? Math.cos((Math.PI * (p - open)) / (2 * close))
              : 0;
        x = (g - glottal) * 20 * amp + noise() * 0.03;
        glottal = g;
        phase++;
        if (phase >= period) phase = 0;
        // Formants move from one vowel towards the next.
        for (let j = 0; j < 3; j++) formants[j] = from[j]! + (to[j]! - from[j]!) * k;
      } else {
        // Room noise in the pause.
        x = noise() * 0.01;
        glottal = 0;
        phase = 0;
      }
      let y = 0;
      formants.forEach((f, j) => {
        const bw = 60 + j * 50;
        const r = Math.exp((-Math.PI * bw) / RATE);
        const a1 = 2 * r * Math.cos((2 * Math.PI * f) / RATE);
        const a2 = -r * r;
        const s = state[j]!;
        const v = (1 - r) * x + a1 * s[0]! + a2 * s[1]!;
        s[1] = s[0]!;
        s[0] = v;
        y += v / (j + 1);
      });
      if (i < onset) y = y * 0.3 + x * 0.05;
      // Syllable envelope: 25 ms attack and release.
      const edge = Math.round(RATE * 0.025);
      const env = voiced ? Math.min(1, (i - onset) / edge + 0.2, (len - i) / edge) : 1;
      out[t] = y * env;
    }
    syllable++;
  }
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) pcm[i] = Math.round((out[i]! / (peak || 1)) * 0.5 * 32767);
  return pcm;
}

/** A PCM WAV (mono, 16 bit, 48 kHz) file. */
export function wav(samples: Int16Array): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const head = Buffer.alloc(44);
  head.write('RIFF', 0);
  head.writeUInt32LE(36 + data.length, 4);
  head.write('WAVE', 8);
  head.write('fmt ', 12);
  head.writeUInt32LE(16, 16);
  head.writeUInt16LE(1, 20);
  head.writeUInt16LE(1, 22);
  head.writeUInt32LE(RATE, 24);
  head.writeUInt32LE(RATE * 2, 28);
  head.writeUInt16LE(2, 32);
  head.writeUInt16LE(16, 34);
  head.write('data', 36);
  head.writeUInt32LE(data.length, 40);
  return Buffer.concat([head, data]);
}

/**
 * Writes the speech-like signal to a temp WAV file and returns its path; `silenceSeconds` of
 * digital silence follow the speech (Chromium loops the file), where DTX stops the packets.
 */
export async function speechWavFile(seconds = 6, silenceSeconds = 0): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'samkons-speech-'));
  const file = path.join(dir, 'speech.wav');
  const samples = new Int16Array(Math.round((seconds + silenceSeconds) * RATE));
  samples.set(speechSamples(seconds));
  await writeFile(file, wav(samples));
  return file;
}
