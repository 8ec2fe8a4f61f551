import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { connectSocket, request, type TestSocket } from '../support/signalling-client.js';

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
  it('closes its rooms, tells the peers, is replaced, and the peers can rejoin', async () => {
    const a = await connectSocket(server.url, { room: 'doomed', displayName: 'Anna' });
    sockets.push(a);
    expect((await request(a, 'join', {})).ok).toBe(true);
    const [before] = server.workers.healthSnapshot();
    expect(before?.rooms).toBe(1);

    const roomClosed = new Promise((resolve) => a.once('roomClosed', resolve));
    const replaced = new Promise<number>((resolve) =>
      server.workers.once('workerReplaced', (_index, pid) => resolve(pid)),
    );
    process.kill(before!.pid, 'SIGKILL');

    expect(await roomClosed).toEqual({ reason: 'worker_died' });
    expect(server.rooms.get('doomed')).toBeUndefined();
    // The socket stays connected but is no longer in a room.
    const res = await request(a, 'ready', { rtpCapabilities: { codecs: [] } });
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid_state' } });

    const newPid = await replaced;
    expect(newPid).not.toBe(before!.pid);
    const health = (await (await fetch(`${server.url}/api/health`)).json()) as {
      workers: { pid: number; alive: boolean }[];
    };
    expect(health.workers).toEqual([expect.objectContaining({ pid: newPid, alive: true })]);

    const rejoined = await request(a, 'join', {});
    expect(rejoined.ok).toBe(true);
    expect(server.rooms.get('doomed')?.peerCount).toBe(1);
  });
});
