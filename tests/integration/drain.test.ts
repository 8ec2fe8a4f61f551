import { afterEach, describe, expect, it } from 'vitest';
import {
  ackData,
  connectRefused,
  connectSocket,
  disconnected,
  joinRequest,
  nextEvent,
  type TestSocket,
} from '../support/signalling-client.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * SIGTERM drains the node (issue 9 item 3): it stops taking new sessions (health 503, new
 * handshakes refused as `unavailable`), tells every connected client when it goes, lets the
 * calls already here go on, and exits by itself within SHUTDOWN_DRAIN_SECONDS.
 */

const DRAIN_SECONDS = 4;
const sockets: TestSocket[] = [];
let server: ServerProcess | undefined;

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await server?.close();
  server = undefined;
});

describe('SIGTERM', () => {
  it('stops new sessions, tells clients, keeps open calls, and exits within the drain time', async () => {
    server = await startServerProcess({
      SIGNALLING_DEV_ROOMS: 'true',
      SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS),
    });
    const url = server.url;
    const inCall = await connectSocket(url, { room: 'drain-open', displayName: 'Sol' });
    sockets.push(inCall);
    expect(ackData(await joinRequest(inCall)).status).toBe('admitted');

    const told = nextEvent(inCall, 'serverDraining');
    const sentAt = Date.now();
    process.kill(server.pid, 'SIGTERM');
    const { deadline } = await told;
    const deadlineMs = Date.parse(deadline);
    expect(deadlineMs).toBeGreaterThan(sentAt);
    expect(deadlineMs).toBeLessThanOrEqual(Date.now() + DRAIN_SECONDS * 1000 + 500);

    // Load balancers send new people elsewhere; a new session is refused for now.
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'draining' });
    const refused = await connectRefused(url, { room: 'drain-new', displayName: 'Pål' });
    expect(refused.code).toBe('unavailable');

    // The open call goes on: someone else still gets into it.
    const late = await connectSocket(url, { room: 'drain-open', displayName: 'Kari' });
    sockets.push(late);
    expect(ackData(await joinRequest(late)).status).toBe('admitted');

    // At the deadline the node closes the connections and exits cleanly on its own.
    const [reason, exit] = await Promise.all([
      disconnected(inCall, DRAIN_SECONDS * 1000 + 10_000),
      server.exited,
    ]);
    const exitedAfterMs = Date.now() - sentAt;
    console.log(
      `SIGTERM with calls open: exited after ${exitedAfterMs} ms (drain ${DRAIN_SECONDS} s)`,
    );
    expect(reason).toBe('io server disconnect');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitedAfterMs).toBeLessThan(DRAIN_SECONDS * 1000 + 10_000);
    expect(exitedAfterMs).toBeGreaterThanOrEqual(DRAIN_SECONDS * 1000 - 1000);
  }, 180_000);
});
