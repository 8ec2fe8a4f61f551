import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import {
  ackData,
  ackError,
  enter,
  nextEvent,
  rawRequest,
  recordEvents,
  request,
  socketPool,
} from '../support/signalling-client.js';

/*
 * Line reports over signalling: each participant's own line quality goes to the others in
 * the room (a host sees whose line is weak). Checked here: relay, validation, rate limit,
 * and that nobody outside the room (or not yet in it) sends or gets one.
 */

let server: TestServer;
const pool = socketPool(() => server.url);

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  pool.closeAll();
  await server?.close();
});

describe('line reports', () => {
  it('reach the others in the room, never the sender or another room', async () => {
    const patient = await pool.connect({ room: 'line-a', displayName: 'Pasient Pål' });
    const host = await pool.connect({ room: 'line-a', displayName: 'Spesialist Sol' });
    const elsewhere = await pool.connect({ room: 'line-b', displayName: 'Annan Anne' });
    const patientJoin = await enter(patient);
    await enter(host);
    await enter(elsewhere);
    const patientId = patientJoin.transports.peerId;
    const ownEvents = recordEvents(patient);
    const otherRoom = recordEvents(elsewhere);

    const seen = nextEvent(host, 'peerLine');
    ackData(await request(patient, 'reportLine', { state: 'poor', lossPct: 9.5, rttMs: 320 }));
    expect(await seen).toEqual({ peerId: patientId, state: 'poor', lossPct: 9.5, rttMs: 320 });

    // A report after the first arrives too, and nothing leaked to the sender or room B.
    const lost = nextEvent(host, 'peerLine', (e) => e.state === 'lost');
    ackData(await request(patient, 'reportLine', { state: 'lost' }));
    expect((await lost).peerId).toBe(patientId);
    expect(ownEvents.filter((e) => e.name === 'peerLine')).toEqual([]);
    expect(otherRoom.filter((e) => e.name === 'peerLine')).toEqual([]);
  });

  it('refuses bad reports, floods and reports before joining', async () => {
    const a = await pool.connect({ room: 'line-c', displayName: 'Anne' });
    // Not in the room yet.
    expect(ackError(await request(a, 'reportLine', { state: 'good' })).code).toBe('invalid_state');
    await enter(a);
    for (const bad of [
      { state: 'excellent' },
      { state: 'good', lossPct: 140 },
      { state: 'good', rttMs: -1 },
      { state: 'good', peerId: 'someone-else' },
      'good',
    ]) {
      const res = (await rawRequest(a, 'reportLine', bad)) as {
        ok: boolean;
        error?: { code: string };
      };
      expect(res.ok, JSON.stringify(bad)).toBe(false);
      expect(res.error?.code).toBe('bad_request');
    }
    // A flood within one second: the first few pass, then rate_limited.
    const acks = await Promise.all(
      Array.from({ length: 8 }, () => request(a, 'reportLine', { state: 'ok' })),
    );
    expect(acks.filter((r) => r.ok).length).toBeLessThanOrEqual(4);
    expect(acks.some((r) => !r.ok && r.error.code === 'rate_limited')).toBe(true);
  });
});
