import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * An idle server leaves its event loop asleep: every timer that fires wakes the process
 * and, on a core it shares with a busy mediasoup worker, takes that core from it. The main
 * thread's voluntary context switches (Linux /proc) count how often the loop went to sleep
 * and was woken. prom-client's default event-loop monitor alone woke it 100 times a second;
 * ours (10 a second) runs only once /metrics has been scraped, which nobody does here.
 */

let server: ServerProcess;

beforeAll(async () => {
  server = await startServerProcess();
}, 180_000);

afterAll(async () => {
  await server?.close();
});

async function mainThreadSleeps(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/task/${pid}/status`, 'utf8');
  const match = /^voluntary_ctxt_switches:\s+(\d+)/m.exec(status);
  if (!match) throw new Error(`no voluntary_ctxt_switches for ${pid}`);
  return Number(match[1]);
}

const WINDOW_MS = 2_000;
/** No timer runs at rest (measured: 1 wakeup in 2 s); room for a stray one or a GC. */
const AT_MOST_PER_SECOND = 3;

describe('an idle server', () => {
  it('wakes its event loop at most a few times a second', async () => {
    // The quietest of a few windows: start-up work that is still finishing does not count.
    let quietest = Infinity;
    for (let i = 0; i < 4 && quietest > (AT_MOST_PER_SECOND * WINDOW_MS) / 1000; i++) {
      const before = await mainThreadSleeps(server.pid);
      await new Promise((resolve) => setTimeout(resolve, WINDOW_MS));
      quietest = Math.min(quietest, (await mainThreadSleeps(server.pid)) - before);
    }
    expect(quietest).toBeLessThanOrEqual((AT_MOST_PER_SECOND * WINDOW_MS) / 1000);
  });
});
