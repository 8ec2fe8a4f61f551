import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import {
  buildProductionClient,
  entryChunk,
  firstLoadChunks,
  indexHtmlScripts,
  pageChunk,
  PREJOIN_BUDGET_BYTES,
  PREJOIN_PAGE,
  staticClosure,
  totalSizes,
  type ProductionBuild,
} from '../support/client-bundle.js';

/**
 * The production build (`npm run build`'s config) as a patient on a weak line meets it:
 * what must download before the pre-join shows (bytes, from the build output), what is
 * kept off that path, and how the server sends it (pre-compressed, cached, no source maps).
 * Times on a throttled line are measured by bench/first-load.ts, not here.
 */

let built: ProductionBuild;
let app: FastifyInstance;

beforeAll(async () => {
  built = await buildProductionClient();
  app = await buildApp({ config: loadConfig({ CLIENT_DIST: built.outDir, LOG_LEVEL: 'warn' }) });
}, 180_000);

afterAll(async () => {
  await app?.close();
  await built?.close();
});

const PAGES = [
  'client/src/features/auth/LoginPage.tsx',
  'client/src/features/prejoin/PrejoinPage.tsx',
  'client/src/features/prejoin/JoinCallbackPage.tsx',
  'client/src/features/call/RoomPage.tsx',
  'client/src/features/consultations/MyConsultationsPage.tsx',
  'client/src/features/consultations/BookingPage.tsx',
  'client/src/features/consultations/ConsultationPage.tsx',
  'client/src/features/patient/PatientPage.tsx',
  'client/src/features/survey/SurveyPage.tsx',
  'client/src/features/reports/ReportsPage.tsx',
];

/** Code that must never be downloaded before the patient's pre-join shows. */
const OFF_THE_PREJOIN_PATH = [
  /^node_modules\/(mediasoup-client|socket\.io-client|engine\.io-client|sdp-transform)\//,
  /^node_modules\/(recharts|d3-[a-z]+|@reduxjs)\//,
  /^client\/src\/features\/(call|reports|consultations|survey|patient)\//,
  /^client\/src\/media\//,
];

const kB = (n: number) => `${(n / 1000).toFixed(1)} kB`;

describe('the patient path to the pre-join', () => {
  it(`downloads at most ${PREJOIN_BUDGET_BYTES / 1000} kB of compressed JavaScript`, async () => {
    const files = firstLoadChunks(built.chunks, PREJOIN_PAGE).map((c) => c.file);
    const sizes = await totalSizes(built.outDir, files);
    console.log(
      `pre-join JavaScript: ${files.length} files, ${kB(sizes.raw)} raw, ` +
        `${kB(sizes.gzip)} gzip, ${kB(sizes.brotli)} brotli`,
    );
    // gzip is what every browser accepts (Chromium sends brotli only over HTTPS).
    expect(sizes.gzip).toBeLessThanOrEqual(PREJOIN_BUDGET_BYTES);
    expect(sizes.brotli).toBeLessThan(sizes.gzip);
  });

  it('holds no media stack, call, staff page or chart library', () => {
    const modules = firstLoadChunks(built.chunks, PREJOIN_PAGE).flatMap((c) => c.modules);
    const offending = modules.filter((m) => OFF_THE_PREJOIN_PATH.some((re) => re.test(m)));
    expect(offending).toEqual([]);
    // ...which are in the build, behind their own routes.
    const room = staticClosure(built.chunks, [
      pageChunk(built.chunks, 'client/src/features/call/RoomPage.tsx').file,
    ]).flatMap((c) => c.modules);
    expect(room.some((m) => m.startsWith('node_modules/mediasoup-client/'))).toBe(true);
  });

  it('splits every page into its own chunk, none in the entry', () => {
    for (const page of PAGES) expect(pageChunk(built.chunks, page).file).toMatch(/^assets\//);
    const shell = staticClosure(built.chunks, [entryChunk(built.chunks).file]);
    const pagesInShell = shell.flatMap((c) => c.modules).filter((m) => m.includes('/features/'));
    expect(pagesInShell).toEqual([]);
  });

  it('index.html loads only the shell; pages come when their route is entered', async () => {
    const shell = staticClosure(built.chunks, [entryChunk(built.chunks).file]).map((c) => c.file);
    const scripts = await indexHtmlScripts(built.outDir);
    expect(scripts.length).toBeGreaterThan(0);
    expect(shell).toEqual(expect.arrayContaining(scripts));
  });
});

describe('source maps', () => {
  it('are neither served nor referenced, and kept beside the build for decoding', async () => {
    const served = await readdir(built.outDir, { recursive: true });
    expect(served.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const file of served.filter((f) => f.endsWith('.js'))) {
      expect(await readFile(path.join(built.outDir, file), 'utf8')).not.toMatch(/sourceMappingURL/);
    }
    const entry = entryChunk(built.chunks).file;
    const map = JSON.parse(
      await readFile(path.join(`${built.outDir}-sourcemaps`, `${entry}.map`), 'utf8'),
    ) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('client/src/main.tsx'))).toBe(true);

    const res = await app.inject({ url: `/${entry}.map` });
    expect(res.statusCode).toBe(404);
  });
});

describe('serving the build', () => {
  const patientFiles = () => firstLoadChunks(built.chunks, PREJOIN_PAGE).map((c) => c.file);

  it('sends hashed assets pre-compressed by Accept-Encoding, cached as immutable', async () => {
    for (const file of patientFiles()) {
      const raw = await readFile(path.join(built.outDir, file));
      const br = await app.inject({ url: `/${file}`, headers: { 'accept-encoding': 'gzip, br' } });
      expect(br.statusCode).toBe(200);
      expect(br.headers['content-type']).toMatch(/^text\/javascript|^application\/javascript/);
      expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(br.headers.vary).toMatch(/accept-encoding/i);
      // Small files may have no compressed variant worth sending.
      if (br.headers['content-encoding'] === 'br') {
        expect(brotliDecompressSync(br.rawPayload).equals(raw)).toBe(true);
        expect(br.rawPayload.length).toBeLessThan(raw.length);
      } else {
        expect(br.rawPayload.equals(raw)).toBe(true);
      }

      const gz = await app.inject({ url: `/${file}`, headers: { 'accept-encoding': 'gzip' } });
      if (gz.headers['content-encoding'] === 'gzip') {
        expect(gunzipSync(gz.rawPayload).equals(raw)).toBe(true);
      } else {
        expect(gz.rawPayload.equals(raw)).toBe(true);
      }

      const plain = await app.inject({
        url: `/${file}`,
        headers: { 'accept-encoding': 'identity' },
      });
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(plain.rawPayload.equals(raw)).toBe(true);
    }
    // The large ones are compressed (what matters on a weak line).
    const entry = entryChunk(built.chunks).file;
    const res = await app.inject({ url: `/${entry}`, headers: { 'accept-encoding': 'br' } });
    expect(res.headers['content-encoding']).toBe('br');
  });

  it('revalidates index.html on every load, for every client route', async () => {
    for (const url of ['/', '/index.html', '/join/some-invite-token', '/room/abc']) {
      const res = await app.inject({ url, headers: { 'accept-encoding': 'gzip, br' } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['cache-control'], url).toBe('no-cache');
      expect(res.headers['content-type'], url).toMatch(/^text\/html/);
      expect(res.headers.etag, url).toBeTruthy();
    }
  });

  it('answers 404 for a missing asset instead of index.html (a stale tab reloads)', async () => {
    const res = await app.inject({ url: '/assets/PrejoinPage-00000000.js' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/json/);
    const api = await app.inject({ url: '/api/no-such-route' });
    expect(api.statusCode).toBe(404);
  });
});
