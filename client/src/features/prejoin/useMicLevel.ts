import { useEffect, useState } from 'react';
import { levelFromSamples } from './checks';

/** Microphone level 0..1 from a Web Audio AnalyserNode, updated about 15 times a second. */
export function useMicLevel(stream: MediaStream | null): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const track = stream?.getAudioTracks()[0];
    if (!stream || !track) {
      setLevel(0);
      return;
    }
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 1024;
    source.connect(analyser);
    const buf = new Float32Array(analyser.fftSize);
    let smoothed = 0;
    const timer = window.setInterval(() => {
      if (ctx.state === 'suspended') void ctx.resume();
      analyser.getFloatTimeDomainData(buf);
      const now = levelFromSamples(buf);
      // Fast attack, slow release: easier to read.
      smoothed = now > smoothed ? now : smoothed * 0.8 + now * 0.2;
      setLevel(smoothed);
    }, 66);
    return () => {
      window.clearInterval(timer);
      source.disconnect();
      void ctx.close();
    };
  }, [stream]);
  return level;
}
