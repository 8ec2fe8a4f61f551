/** Whether the browser can route audio to a chosen output device. */
export const canSelectSpeaker = (): boolean =>
  typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/**
 * Plays two short generated beeps (660 Hz) through the chosen speaker. The tone goes through
 * a MediaStream into an <audio> element because that is where setSinkId works everywhere
 * it exists. Resolves when the sound has finished.
 */
export async function playTestTone(speakerId?: string): Promise<void> {
  const ctx = new AudioContext();
  try {
    const dest = ctx.createMediaStreamDestination();
    const gain = ctx.createGain();
    gain.gain.value = 0;
    gain.connect(dest);
    const osc = ctx.createOscillator();
    osc.type = 'sine';
    osc.frequency.value = 660;
    osc.connect(gain);

    const t0 = ctx.currentTime + 0.1;
    for (const start of [t0, t0 + 0.6]) {
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(0.4, start + 0.02);
      gain.gain.setValueAtTime(0.4, start + 0.35);
      gain.gain.linearRampToValueAtTime(0, start + 0.4);
    }
    const audio: SinkAudio = new Audio();
    audio.srcObject = dest.stream;
    if (speakerId && audio.setSinkId) await audio.setSinkId(speakerId).catch(() => undefined);
    await audio.play();
    osc.start(t0);
    osc.stop(t0 + 1.1);
    await new Promise<void>((resolve) => {
      osc.onended = () => resolve();
    });
    audio.pause();
    audio.srcObject = null;
  } finally {
    await ctx.close();
  }
}
