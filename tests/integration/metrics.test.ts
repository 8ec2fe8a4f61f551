import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { connectSocket, joinRequest, type TestSocket } from '../support/signalling-client.js';
import { dashboardMetricNames, exposedMetricNames, sampleValue } from '../support/prometheus.js';

/**
 * /metrics (Prometheus) and /api/health: the public health answer is liveness only; the
 * detail (worker pids, rooms, peers) and the metrics need METRICS_TOKEN on the public port,
 * or the internal listener (METRICS_PORT). Real worker, real PGlite, real sockets.
 */

const TOKEN = 'metrics-token-for-tests-0123456789';
let server: TestServer;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  server = await startTestServer({
    domain: true,
    env: { METRICS_TOKEN: TOKEN, SIGNALLING_DEV_ROOMS: 'true', METRICS_PORT: '0' },
  });
  // PGlite's start-up is slow on a busy machine.
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server?.close();
});

const bearer = { authorization: `Bearer ${TOKEN}` };
const scrape = async (url = `${server.url}/metrics`, headers: Record<string, string> = bearer) => {
  const res = await fetch(url, { headers });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
};

describe('/api/health', () => {
  it('answers liveness to anyone, with no pids, rooms or peers', async () => {
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('gives the detail only with the metrics token', async () => {
    const tries: Record<string, string>[] = [
      {},
      { authorization: 'Bearer wrong-token-of-some-length' },
    ];
    for (const headers of tries) {
      const res = await fetch(`${server.url}/api/health/detail`, { headers });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: 'unauthenticated' } });
    }
    const res = await fetch(`${server.url}/api/health/detail`, { headers: bearer });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { workers: { pid: number; alive: boolean }[] };
    expect(body.workers).toEqual([
      expect.objectContaining({ pid: server.workers.healthSnapshot()[0]!.pid, alive: true }),
    ]);
  });
});

describe('/metrics', () => {
  it('refuses a scrape without the right token on the public port', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    expect(wrong.status).toBe(401);
  });

  it('serves the same figures without a token on the internal listener only', async () => {
    expect(server.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const text = await scrape(`${server.metricsUrl}/metrics`, {});
    expect(text).toContain('samkons_rooms');
    const detail = await fetch(`${server.metricsUrl}/api/health/detail`);
    expect(detail.status).toBe(200);
  });

  it('counts rooms, peers and transports as people join, and times the joins', async () => {
    const before = await scrape();
    expect(sampleValue(before, 'samkons_rooms')).toBe(0);
    expect(sampleValue(before, 'mediasoup_worker_up', { worker: '0' })).toBe(1);

    for (const name of ['Ane', 'Bjørn']) {
      const socket = await connectSocket(server.url, { room: 'metrics-room', displayName: name });
      sockets.push(socket);
      expect(await joinRequest(socket)).toMatchObject({ ok: true, data: { status: 'admitted' } });
    }
    const text = await scrape();
    expect(sampleValue(text, 'samkons_rooms')).toBe(1);
    expect(sampleValue(text, 'samkons_peers')).toBe(2);
    expect(sampleValue(text, 'samkons_webrtc_transports', { worker: '0' })).toBe(4);
    expect(sampleValue(text, 'mediasoup_worker_rooms', { worker: '0' })).toBe(1);
    expect(sampleValue(text, 'samkons_join_duration_seconds_count', { outcome: 'admitted' })).toBe(
      2,
    );
    expect(
      sampleValue(text, 'mediasoup_worker_cpu_seconds_total', { worker: '0' }),
    ).toBeGreaterThan(0);
    expect(
      sampleValue(text, 'mediasoup_worker_resident_memory_bytes', { worker: '0' }),
    ).toBeGreaterThan(1_000_000);
    expect(
      sampleValue(text, 'samkons_db_pool_connections', { driver: 'pglite', state: 'total' }),
    ).toBe(1);
    expect(sampleValue(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(10_000_000);
  });

  it('counts the producers and consumers living in the worker, by kind', async () => {
    // Media objects made straight on the node's worker: the census reads the worker's own
    // observers, not the rooms (a browser's producers are counted in tests/e2e/csp.test.ts).
    const slot = server.workers.leastLoaded()!;
    const router = await slot.worker.createRouter({
      mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
    });
    try {
      const transport = await router.createPlainTransport({ listenIp: '127.0.0.1', comedia: true });
      const producer = await transport.produce({
        kind: 'audio',
        rtpParameters: {
          codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
          encodings: [{ ssrc: 1111 }],
        },
      });
      await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      const text = await scrape();
      expect(sampleValue(text, 'samkons_producers', { worker: '0', kind: 'audio' })).toBe(1);
      expect(sampleValue(text, 'samkons_consumers', { worker: '0', kind: 'audio' })).toBe(1);
      expect(sampleValue(text, 'samkons_producers', { worker: '0', kind: 'video' })).toBe(0);
      expect(
        sampleValue(text, 'samkons_transport_bitrate_bits_per_second', {
          worker: '0',
          direction: 'in',
        }),
      ).toBeGreaterThanOrEqual(0);
    } finally {
      router.close();
    }
    const after = await scrape();
    expect(sampleValue(after, 'samkons_producers', { worker: '0', kind: 'audio' })).toBe(0);
  });
});

describe('the Grafana dashboard', () => {
  it('asks only for metrics /metrics exposes', async () => {
    const dashboard = JSON.parse(
      await readFile(new URL('../../infra/grafana/samkons.json', import.meta.url), 'utf8'),
    ) as unknown;
    const wanted = dashboardMetricNames(dashboard);
    expect(wanted.size).toBeGreaterThan(10);
    const exposed = exposedMetricNames(await scrape());
    expect([...wanted].filter((name) => !exposed.has(name))).toEqual([]);
  });
});
