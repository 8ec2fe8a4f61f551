/** Pure helpers for the pre-join checks (unit-tested). */

/** RMS of time-domain samples (-1..1) mapped to 0..1 on a dB scale from -60 dBFS to 0. */
export function levelFromSamples(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  const rms = Math.sqrt(sum / samples.length);
  if (rms <= 0) return 0;
  const db = 20 * Math.log10(rms);
  return Math.min(1, Math.max(0, (db + 60) / 60));
}

export type LevelWord = 'micSilent' | 'micLow' | 'micGood';
export const levelWord = (level: number): LevelWord =>
  level < 0.15 ? 'micSilent' : level < 0.45 ? 'micLow' : 'micGood';

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export type RttRating = 'rttGood' | 'rttFair' | 'rttPoor';
/** Thresholds for interactive video: under 150 ms is fine, over 400 ms is felt. */
export const rttRating = (ms: number): RttRating =>
  ms < 150 ? 'rttGood' : ms < 400 ? 'rttFair' : 'rttPoor';

export interface IceServerLike {
  urls: string | string[];
  username?: string | undefined;
  credential?: string | undefined;
}

/** Only the TURN entries (turn: / turns:), for a relay-only reachability test. */
export function turnServersOnly(servers: readonly IceServerLike[]): IceServerLike[] {
  return servers
    .map((s) => ({
      ...s,
      urls: (Array.isArray(s.urls) ? s.urls : [s.urls]).filter((u) => /^turns?:/i.test(u)),
    }))
    .filter((s) => s.urls.length > 0);
}

/** True for an ICE candidate line of type relay. */
export const isRelayCandidate = (candidate: string): boolean => / typ relay( |$)/.test(candidate);

/** The instant in a "opens at 2026-11-25T08:30:00.000Z" style message, if any. */
export function instantInMessage(message: string): Date | null {
  const m = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})/.exec(message);
  if (!m) return null;
  const d = new Date(m[0]);
  return Number.isNaN(d.getTime()) ? null : d;
}
