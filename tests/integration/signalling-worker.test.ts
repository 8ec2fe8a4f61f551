import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  connectSocket,
  joinRequest,
  request,
  type TestSocket,
} from '../support/signalling-client.js';
import { healthDetail } from '../support/health.js';

let server: TestServer;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  // mediasoup logs the dead worker at error level; keep the output for real problems.
  server = await startTestServer({ env: { LOG_LEVEL: 'fatal' } });
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.close();
});

describe('a mediasoup worker dies', () => {
  it('closes its rooms, tells the peers, and a join waits for the replacement', async () => {
    const a = await connectSocket(server.url, { room: 'doomed', displayName: 'Anna' });
    sockets.push(a);
    expect((await joinRequest(a)).ok).toBe(true);
    const [before] = server.workers.healthSnapshot();
    expect(before?.rooms).toBe(1);

    const roomClosed = new Promise((resolve) => a.once('roomClosed', resolve));
    const replaced = new Promise<number>((resolve) =>
      server.workers.once('workerReplaced', (_index, pid) => resolve(pid)),
    );
    process.kill(before!.pid, 'SIGKILL');

    expect(await roomClosed).toEqual({ reason: 'worker_died' });
    expect(server.rooms.get('doomed')).toBeUndefined();
    // The socket stays connected, in the session, but no longer in a room.
    const res = await request(a, 'resumeConsumer', { consumerId: 'x' });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_state' } });

    // Joining again at once (as the client does) is not refused while the only worker is
    // being replaced: it waits for the replacement and lands in a room there.
    const rejoined = await joinRequest(a);
    expect(rejoined.ok).toBe(true);
    const newPid = await replaced;
    expect(newPid).not.toBe(before!.pid);
    const health = await healthDetail(server.url);
    expect(health.workers).toEqual([expect.objectContaining({ pid: newPid, alive: true })]);
    expect(server.rooms.get('doomed')?.peerCount).toBe(1);
  });
});
