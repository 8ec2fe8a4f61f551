import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, MAX_REQUEST_BYTES, MAX_RESUME_BATCH } from '@samkons/shared';
import { startTestServer, type TestServer } from '../support/server.js';
import { healthDetail, type HealthDetail } from '../support/health.js';
import {
  connectSocket,
  joinRequest,
  rawRequest,
  request,
  welcomeOf,
  type TestSocket,
} from '../support/signalling-client.js';

let server: TestServer;
const sockets: TestSocket[] = [];

async function connect(room = 'integration', displayName = 'Tester'): Promise<TestSocket> {
  const socket = await connectSocket(server.url, { room, displayName });
  sockets.push(socket);
  return socket;
}

async function health(): Promise<HealthDetail> {
  const res = await fetch(`${server.url}/api/health`);
  expect(res.status).toBe(200);
  return healthDetail(server.url);
}

/** The server must still work: health answers and a fresh participant can join. */
async function expectServerAlive(): Promise<void> {
  const h = await health();
  expect(h.status).toBe('ok');
  expect(h.workers.every((w) => w.alive)).toBe(true);
  const socket = await connect('alive-check');
  const res = await joinRequest(socket);
  expect(res.ok).toBe(true);
  socket.disconnect();
}

function errorCode(res: unknown): string | undefined {
  const r = res as { ok?: boolean; error?: { code?: string; message?: string } };
  expect(r.ok).toBe(false);
  expect(typeof r.error?.message).toBe('string');
  return r.error?.code;
}

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.close();
});

describe('signalling over socket.io against a real mediasoup worker', () => {
  it('reports live workers and no rooms before anyone joins', async () => {
    const h = await health();
    expect(h.workers).toHaveLength(1);
    expect(h.workers[0]).toMatchObject({ alive: true, rooms: 0 });
    expect(h.workers[0]).toHaveProperty('pid');
    expect(h.rooms).toBe(0);
  });

  it('refuses a handshake without a valid room and name', async () => {
    await expect(
      connectSocket(server.url, { room: '../etc', displayName: '' }),
    ).rejects.toMatchObject({ data: { code: 'bad_request' } });
  });

  it('answers requests sent before join with invalid_state', async () => {
    const socket = await connect();
    expect(errorCode(await request(socket, 'resumeConsumer', { consumerId: 'c1' }))).toBe(
      'invalid_state',
    );
    expect(errorCode(await request(socket, 'resumeConsumers', { consumerIds: ['c1'] }))).toBe(
      'invalid_state',
    );
    expect(
      errorCode(
        await request(socket, 'connectTransport', {
          transportId: 't1',
          dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
        }),
      ),
    ).toBe('invalid_state');
    expect(errorCode(await request(socket, 'leave', {}))).toBe('invalid_state');
  });

  it('answers a ping on any connected socket, and only an empty one', async () => {
    // The client's media recovery asks it to tell a broken media path from a dead link.
    const socket = await connect();
    expect(await request(socket, 'ping', {})).toEqual({ ok: true, data: {} });
    expect(errorCode(await rawRequest(socket, 'ping', { extra: 1 }))).toBe('bad_request');
  });

  it('rejects malformed payloads and unknown requests with bad_request', async () => {
    const socket = await connect();
    expect(errorCode(await rawRequest(socket, 'join', { extra: true }))).toBe('bad_request');
    expect(errorCode(await rawRequest(socket, 'join', 'not an object'))).toBe('bad_request');
    expect(errorCode(await rawRequest(socket, 'produce', null))).toBe('bad_request');
    expect(errorCode(await rawRequest(socket, 'resumeConsumer', { consumerId: 42 }))).toBe(
      'bad_request',
    );
    // A batched resume names one to MAX_RESUME_BATCH ids, nothing else.
    for (const payload of [
      { consumerIds: [] },
      { consumerIds: 'c1' },
      { consumerIds: [42] },
      { consumerIds: ['c1'], extra: true },
      { consumerIds: Array.from({ length: MAX_RESUME_BATCH + 1 }, (_, i) => `c${i}`) },
    ]) {
      expect(errorCode(await rawRequest(socket, 'resumeConsumers', payload))).toBe('bad_request');
    }
    expect(errorCode(await rawRequest(socket, 'selfDestruct', {}))).toBe('bad_request');
    expect(errorCode(await rawRequest(socket, 'join', {}))).toBe('bad_request');
    expect(errorCode(await rawRequest(socket, 'join', {}, 'second payload'))).toBe('bad_request');
    // A request without an ack cannot be answered; it must not hurt the socket.
    socket.emit('join' as 'leave', {} as never, undefined as never);
    const joined = await joinRequest(socket);
    expect(joined.ok).toBe(true);
  });

  it('welcomes each connection, joins in one round trip and rejects unknown ids', async () => {
    const socket = await connect('ids');
    const welcome = await welcomeOf(socket);
    const mimeTypes = welcome.routerRtpCapabilities.codecs?.map((c) => c.mimeType) ?? [];
    expect(mimeTypes).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/H264']));
    expect(welcome.iceServers).toEqual([]);
    const res = await joinRequest(socket);
    if (!res.ok) throw new Error(res.error.message);
    if (res.data.status !== 'admitted') throw new Error('a development room admits directly');
    expect(res.data.transports.sendTransport?.iceCandidates.length).toBeGreaterThan(0);
    expect(res.data.transports.recvTransport?.id).toBeTruthy();
    expect(res.data.media).toEqual({ peers: [], consumers: [], activeSpeakerPeerId: null });
    const sendTransportId = res.data.transports.sendTransport!.id;

    // Joining again on the same socket replaces the media (a rejoin): new transports.
    const again = await joinRequest(socket);
    if (!again.ok || again.data.status !== 'admitted') throw new Error('rejoin failed');
    expect(again.data.transports.sendTransport!.id).not.toBe(sendTransportId);
    expect(
      errorCode(
        await request(socket, 'connectTransport', {
          transportId: sendTransportId,
          dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
        }),
      ),
    ).toBe('not_found');
    expect(
      errorCode(
        await request(socket, 'connectTransport', {
          transportId: 'no-such-transport',
          dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] },
        }),
      ),
    ).toBe('not_found');
    expect(errorCode(await request(socket, 'resumeConsumer', { consumerId: 'nope' }))).toBe(
      'not_found',
    );
    expect(
      errorCode(await request(socket, 'resumeConsumers', { consumerIds: ['nope', 'nor-this'] })),
    ).toBe('not_found');
    expect(errorCode(await request(socket, 'closeProducer', { producerId: 'nope' }))).toBe(
      'not_found',
    );
    expect(
      errorCode(
        await request(socket, 'setConsumerPreferredLayers', { consumerId: 'x', spatialLayer: 1 }),
      ),
    ).toBe('not_found');
    // Well-formed but meaningless RTP parameters: mediasoup refuses, the ack says why.
    expect(
      errorCode(
        await request(socket, 'produce', {
          transportId: again.data.transports.sendTransport!.id,
          kind: 'video',
          source: 'camera',
          rtpParameters: {
            codecs: [{ mimeType: 'video/nonsense', payloadType: 300, clockRate: 1 }],
          },
        }),
      ),
    ).toBe('bad_request');
    expect(
      errorCode(
        await request(socket, 'produce', {
          transportId: again.data.transports.sendTransport!.id,
          kind: 'audio',
          source: 'camera',
          rtpParameters: { codecs: [] },
        }),
      ),
    ).toBe('bad_request');
  });

  it('tells the others when a peer joins and leaves', async () => {
    const a = await connect('pair', 'Anna');
    const joinedA = await joinRequest(a);
    expect(joinedA.ok).toBe(true);
    const b = await connect('pair', 'Bjørn');
    const peerJoined = new Promise((resolve) => a.once('peerJoined', resolve));
    const joinedB = await joinRequest(b);
    if (!joinedB.ok || joinedB.data.status !== 'admitted') throw new Error('join failed');
    expect(joinedB.data.media.peers.map((p) => p.displayName)).toEqual(['Anna']);
    const peerIdB = joinedB.data.transports.peerId;
    expect(await peerJoined).toMatchObject({ peer: { id: peerIdB, displayName: 'Bjørn' } });

    const peerLeft = new Promise((resolve) => a.once('peerLeft', resolve));
    b.disconnect();
    expect(await peerLeft).toEqual({ peerId: peerIdB });
  });

  it('answers an oversized payload with payload_too_large and stays up', async () => {
    const socket = await connect();
    const big = 'x'.repeat(MAX_REQUEST_BYTES + 1);
    const res = await rawRequest(socket, 'join', { rtpCapabilities: { codecs: [], junk: big } });
    expect(errorCode(res)).toBe('payload_too_large');
    expect(socket.connected).toBe(true);
    await expectServerAlive();
  });

  it('answers a deeply nested payload with bad_request, not internal, and stays up', async () => {
    const socket = await connect();
    // 100,000 levels: JSON.stringify overflows the stack on this, and so does the
    // socket.io-client encoder, so the packet goes out as raw text (event with ack id 7777).
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const engine = socket.io.engine;
    const ack = new Promise<string>((resolve) => {
      const onMessage = (data: unknown) => {
        if (typeof data === 'string' && data.startsWith('37777')) {
          engine.off('message', onMessage);
          resolve(data.slice(5));
        }
      };
      engine.on('message', onMessage);
    });
    engine.write(`27777["ready",{"rtpCapabilities":{"codecs":[],"deep":${deep}}}]`);
    const [res] = JSON.parse(await ack) as [{ ok: boolean; error?: { code: string } }];
    expect(res).toMatchObject({ ok: false, error: { code: 'bad_request' } });
    expect(socket.connected).toBe(true);
    await expectServerAlive();
  });

  it('drops a connection that sends more than the transport limit, and stays up', async () => {
    const socket = await connect();
    const disconnected = new Promise<string>((resolve) => socket.once('disconnect', resolve));
    socket.emit(
      'join',
      { rtpCapabilities: { junk: 'x'.repeat(MAX_MESSAGE_BYTES + 1) } } as never,
      () => {},
    );
    expect(await disconnected).toBe('transport close');
    await expectServerAlive();
  });

  it('answers a flood of requests with rate_limited instead of queueing without bound', async () => {
    const socket = await connect();
    const results = await Promise.all(
      Array.from({ length: 500 }, () => rawRequest(socket, 'resumeConsumer', { consumerId: 'x' })),
    );
    const codes = results.map((r) => errorCode(r));
    expect(codes).toContain('rate_limited');
    expect(codes).toContain('invalid_state');
    await expectServerAlive();
  });

  it('closes empty rooms and counts them in health', async () => {
    const socket = await connect('counted');
    await joinRequest(socket);
    expect((await health()).rooms).toBeGreaterThanOrEqual(1);
    expect(server.rooms.get('counted')?.peerCount).toBe(1);
    const res = await request(socket, 'leave', {});
    expect(res.ok).toBe(true);
    expect(server.rooms.get('counted')).toBeUndefined();
  });
});
