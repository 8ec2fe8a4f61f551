import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  browserProcessesHere,
  cpuStarveAvailable,
  procStat,
  starveProcesses,
  sweepStarvedGroups,
} from '../support/cpu-starve.js';

/*
 * The busy-computer rig itself (bench:adaptation's `busy` scenario): a process held to a share
 * of one CPU gets no more than that, gets the CPU back when released, and is found among this
 * process's own children by its executable.
 */

const available = cpuStarveAvailable();
if (!available.ok) console.warn(`busy-computer rig tests not run: ${available.reason}`);

/** CPU time a process has used so far (s): user and system, in clock ticks of 10 ms. */
function cpuSeconds(pid: number): number {
  const fields = procStat(pid);
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** The share of one CPU `pid` used over the next `ms`. */
async function cpuShareOver(pid: number, ms: number): Promise<number> {
  const before = cpuSeconds(pid);
  const start = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  return (cpuSeconds(pid) - before) / wall;
}

let children: ChildProcess[] = [];
afterEach(async () => {
  const running = children;
  children = [];
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});

/** A loop that takes all the CPU it is given, once it runs. */
async function spin(): Promise<number> {
  const spinner = spawn(process.execPath, ['-e', 'console.log("spinning"); for (;;) {}'], {
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  children.push(spinner);
  await once(spinner.stdout!, 'data');
  return spinner.pid!;
}

describe.runIf(available.ok)('busy-computer rig', () => {
  it('holds a process to its share of one CPU, and lets it go again', async () => {
    const pid = await spin();
    expect(browserProcessesHere(process.execPath)).toContain(pid);
    // Free, it takes most of a core (the other tests of this project run one file at a time).
    expect(await cpuShareOver(pid, 1_000)).toBeGreaterThan(0.4);
    const starved = starveProcesses([pid], { share: 0.1, periodMs: 100 });
    let held;
    try {
      expect(await cpuShareOver(pid, 1_500)).toBeLessThan(0.2);
    } finally {
      held = starved.release();
    }
    expect(held.throttledPeriods).toBeGreaterThan(5);
    expect(held.throttledMs).toBeGreaterThan(500);
    expect(await cpuShareOver(pid, 1_000)).toBeGreaterThan(0.4);
  });

  it('takes down the group of a run killed before it released it, and lets its processes go', async () => {
    const pid = await spin();
    // A bench that holds the loop, then is killed with SIGKILL.
    const rig = fileURLToPath(new URL('../support/cpu-starve.ts', import.meta.url));
    const bench = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import { starveProcesses } from ${JSON.stringify(rig)};
         starveProcesses([${pid}], { share: 0.1, periodMs: 100 });
         console.log('holding');
         setInterval(() => {}, 60_000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(bench);
    await once(bench.stdout!, 'data');
    bench.kill('SIGKILL');
    await once(bench, 'exit');
    expect(await cpuShareOver(pid, 1_000)).toBeLessThan(0.2);
    expect(sweepStarvedGroups()).toEqual([`samkons-starve-${bench.pid}-0`]);
    expect(await cpuShareOver(pid, 1_000)).toBeGreaterThan(0.4);
  });

  it('refuses a share or a period the kernel cannot keep, with a clear error', () => {
    expect(() => starveProcesses([process.pid], { share: 0, periodMs: 100 })).toThrow(/share 0/);
    expect(() => starveProcesses([process.pid], { share: 0.1, periodMs: 5_000 })).toThrow(
      /period 5000 ms/,
    );
  });
});
