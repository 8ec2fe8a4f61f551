/**
 * Opus in-band FEC on the network rig (issue 9 item 5, "audio is protected first"): 5 %
 * random loss on the patient's downlink only, the specialist's link clean. Three set-ups,
 * each a fresh rig (server, both browsers) with `BENCH_RUNS` lossy periods of 20 s:
 * - speech: both microphones play a speech-like signal (tests/support/speech-wav.ts), FEC as
 *   the client negotiates it (`opusFec: true`);
 * - speech without FEC: the same, the sender answering `useinbandfec=0` to itself;
 * - beep: Chromium's own fake microphone (a beep), FEC negotiated.
 * Per run: the loss the SFU reported to the sender, packets lost, FEC received and used,
 * audio concealed (tests/support/audio-fec.ts).
 *
 *   npm run bench:audio-fec   (BENCH_RUNS, default 2) -> bench/results/audio-fec.json
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openAdaptationRig } from '../tests/support/adaptation.js';
import { fecRun, NO_FEC_SENDER_SCRIPT, type AudioFecFigures } from '../tests/support/audio-fec.js';
import { netLabAvailable } from '../tests/support/netlab.js';
import { speechWavFile } from '../tests/support/speech-wav.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 2);

const available = netLabAvailable();
if (!available.ok) {
  console.error(`bench:audio-fec needs the network rig: ${available.reason}`);
  process.exit(1);
}

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
};

const started = Date.now();
const wav = await speechWavFile();
const speech = [`--use-file-for-fake-audio-capture=${wav}`];
const setups: { name: string; chromiumArgs: string[]; hostInitScript?: string }[] = [
  { name: 'speech', chromiumArgs: speech },
  { name: 'speechWithoutFec', chromiumArgs: speech, hostInitScript: NO_FEC_SENDER_SCRIPT },
  { name: 'beep', chromiumArgs: [] },
];
const results: Record<string, unknown> = {};
try {
  for (const setup of setups) {
    const rig = await openAdaptationRig({
      room: `bench-audio-fec-${setup.name}`,
      chromiumArgs: setup.chromiumArgs,
      hostInitScript: setup.hostInitScript,
    });
    const runs: (AudioFecFigures & { load1: number })[] = [];
    try {
      for (let run = 1; run <= RUNS; run++) {
        const figures = await fecRun(rig, { fraction: 0.05, seconds: 20, direction: 'down' });
        runs.push({ ...figures, load1: Number(os.loadavg()[0]!.toFixed(2)) });
        console.log(`${setup.name} run ${run}`, figures);
      }
    } finally {
      await rig.close();
    }
    results[setup.name] = {
      medianAudioConcealed: median(runs.map((r) => r.audioConcealed)),
      medianFecPacketsReceived: median(runs.map((r) => r.fecPacketsReceived)),
      medianFecPacketsUsed: median(runs.map((r) => r.fecPacketsUsed)),
      medianPacketsLost: median(runs.map((r) => r.packetsLost)),
      medianSenderFractionLostMax: median(runs.map((r) => r.senderFractionLostMax)),
      runs,
    };
  }
} finally {
  await rm(path.dirname(wav), { recursive: true, force: true });
}

const out = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, load: os.loadavg().map((x) => Number(x.toFixed(2))) },
  runs: RUNS,
  seconds: Math.round((Date.now() - started) / 1000),
  lossPercent: 5,
  lossDirection: 'down (the receiving patient only)',
  ...results,
};
const file = new URL('./results/audio-fec.json', import.meta.url);
await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(file, `${JSON.stringify(out, null, 2)}\n`);
console.log(JSON.stringify(out, null, 2));
