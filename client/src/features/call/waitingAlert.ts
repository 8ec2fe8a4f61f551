import { useEffect, useRef } from 'react';
import type { LobbyEntry } from '@samkons/shared';

/**
 * What tells a host that someone waits, besides the prompt: a short chime when someone new
 * arrives, and the count in the browser tab's title ("(1) ventar – Videomøte – samkons"),
 * which shows in the task bar when the call is in a background tab.
 */
export function useWaitingAlert(opts: {
  lobby: readonly LobbyEntry[];
  enabled: boolean;
  /** The page's own title, restored when nobody waits. */
  baseTitle: string;
  titleWith: (n: number) => string;
}): void {
  const { lobby, enabled, baseTitle, titleWith } = opts;
  const seen = useRef(new Set<string>());
  const count = enabled ? lobby.length : 0;

  useEffect(() => {
    if (!enabled) return;
    let arrived = false;
    for (const e of lobby) {
      if (seen.current.has(e.participantId)) continue;
      seen.current.add(e.participantId);
      arrived = true;
    }
    // Someone who left the lobby and comes back chimes again.
    const present = new Set(lobby.map((e) => e.participantId));
    for (const id of seen.current) if (!present.has(id)) seen.current.delete(id);
    if (arrived) playChime();
  }, [lobby, enabled]);

  useEffect(() => {
    document.title = count > 0 ? titleWith(count) : baseTitle;
  }, [count, baseTitle, titleWith]);
  useEffect(() => () => void (document.title = baseTitle), [baseTitle]);
}

let audio: AudioContext | undefined;

/**
 * Two soft rising tones (about half a second), made with WebAudio: nothing to download,
 * and quiet enough not to startle anyone in a consultation room.
 */
export function playChime(): void {
  const Ctor = window.AudioContext;
  if (typeof Ctor !== 'function') return;
  try {
    audio ??= new Ctor();
    const ctx = audio;
    if (ctx.state === 'suspended') void ctx.resume().catch(() => undefined);
    const start = ctx.currentTime + 0.02;
    [660, 880].forEach((frequency, i) => {
      const t0 = start + i * 0.18;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0, t0);
      gain.gain.linearRampToValueAtTime(0.18, t0 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.001, t0 + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0);
      osc.stop(t0 + 0.32);
    });
  } catch {
    // No audio output (or the browser refuses): the prompt and the title still show.
  }
}
