/**
 * Booking API throughput and latency, PGlite vs PostgreSQL in the same run.
 * Requests go through the real Fastify app (`app.inject`: routing, zod validation, auth,
 * policy, transaction, audit row) so the figures include the application layer but not
 * the TCP stack. Mix: 40 % create, 40 % get one, 20 % list by date range.
 *
 *   npm run bench:booking   (PostgreSQL from SAMKONS_TEST_PG_URL, default 127.0.0.1:5432/test)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import {
  buildTestApp,
  staffLogin,
  type StaffLogin,
  type TestApp,
} from '../server/src/booking/testing.js';
import type { DriverName } from '../server/src/db/database.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1500);
const WARMUP = 100;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const STAFF = 16;
const PG_URL = process.env.SAMKONS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

type Op = 'create' | 'get' | 'list';

interface Figures {
  driver: DriverName;
  requests: number;
  concurrency: number;
  seconds: number;
  throughputPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  byOp: Record<Op, { count: number; p50: number; p99: number }>;
  errors: number;
}

const pct = (sorted: number[], p: number) =>
  sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const round = (n: number) => Math.round(n * 100) / 100;

async function reachable(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port || 5432), u.hostname);
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

async function run(driver: DriverName): Promise<Figures> {
  const t: TestApp = await buildTestApp(driver, {
    INVITE_OPENS_MINUTES_BEFORE: '60',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000000',
  });
  try {
    const roles = ['specialist', 'gp', 'municipal'] as const;
    const staff: StaffLogin[] = [];
    for (let i = 0; i < STAFF; i++) staff.push(await staffLogin(t, roles[i % 3] ?? 'gp'));
    const created: string[][] = staff.map(() => []);
    let slot = 0;
    const base = Date.now() + 86400_000;

    const one = async (i: number): Promise<{ op: Op; ms: number; ok: boolean }> => {
      const who = i % STAFF;
      const s = staff[who]!;
      const headers = { authorization: `Bearer ${s.accessToken}` };
      const mine = created[who]!;
      const r = i % 5;
      const op: Op = r < 2 || mine.length === 0 ? 'create' : r < 4 ? 'get' : 'list';
      const started = performance.now();
      let status: number;
      if (op === 'create') {
        // Every booking gets its own hour: no 409s in the measurement.
        const start = new Date(base + slot++ * 3600_000);
        const res = await t.app.inject({
          method: 'POST',
          url: '/api/consultations',
          headers,
          payload: {
            kind: 'co_consultation',
            startsAt: start.toISOString(),
            endsAt: new Date(start.getTime() + 45 * 60_000).toISOString(),
            documentingOrganisation: 'Helse Bergen',
            participants: [
              {
                role: 'patient',
                name: 'Pasient',
                joinsFrom: 'home',
                travelDistanceKm: 90,
                birthDate: '1945-01-01',
                email: 'p@example.no',
              },
              {
                role: 'next_of_kin',
                name: 'Pårørande',
                joinsFrom: 'home',
                travelDistanceKm: 30,
                mobile: '+4790000000',
              },
            ],
          },
        });
        status = res.statusCode;
        if (status === 201) mine.push(res.json<{ id: string }>().id);
      } else if (op === 'get') {
        const id = mine[i % mine.length]!;
        status = (await t.app.inject({ method: 'GET', url: `/api/consultations/${id}`, headers }))
          .statusCode;
      } else {
        const from = new Date(base).toISOString();
        const to = new Date(base + 7 * 86400_000).toISOString();
        status = (
          await t.app.inject({
            method: 'GET',
            url: `/api/consultations?from=${from}&to=${to}`,
            headers,
          })
        ).statusCode;
      }
      return { op, ms: performance.now() - started, ok: status < 300 };
    };

    const drive = async (total: number, offset: number) => {
      const results: { op: Op; ms: number; ok: boolean }[] = [];
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < total) results.push(await one(offset + next++));
        }),
      );
      return results;
    };

    await drive(WARMUP, 0);
    const t0 = performance.now();
    const results = await drive(REQUESTS, WARMUP);
    const seconds = (performance.now() - t0) / 1000;
    const all = results.map((r) => r.ms).sort((a, b) => a - b);
    const byOp = {} as Figures['byOp'];
    for (const op of ['create', 'get', 'list'] as const) {
      const l = results
        .filter((r) => r.op === op)
        .map((r) => r.ms)
        .sort((a, b) => a - b);
      byOp[op] = { count: l.length, p50: round(pct(l, 50)), p99: round(pct(l, 99)) };
    }
    return {
      driver,
      requests: results.length,
      concurrency: CONCURRENCY,
      seconds: round(seconds),
      throughputPerSecond: round(results.length / seconds),
      latencyMs: {
        p50: round(pct(all, 50)),
        p99: round(pct(all, 99)),
        max: round(all.at(-1) ?? 0),
      },
      byOp,
      errors: results.filter((r) => !r.ok).length,
    };
  } finally {
    await t.close();
  }
}

const drivers: DriverName[] = ['pglite'];
if (await reachable(PG_URL)) {
  process.env.SAMKONS_TEST_PG_URL = PG_URL;
  drivers.push('pg');
} else {
  console.log(`PostgreSQL not reachable at ${PG_URL}: PGlite only`);
}

const figures: Figures[] = [];
for (const d of drivers) {
  const f = await run(d);
  figures.push(f);
  console.log(
    `${d.padEnd(7)} ${f.throughputPerSecond.toFixed(0).padStart(6)} req/s  p50 ${f.latencyMs.p50} ms  p99 ${f.latencyMs.p99} ms  ` +
      `(create p99 ${f.byOp.create.p99} ms, get p99 ${f.byOp.get.p99} ms, list p99 ${f.byOp.list.p99} ms, errors ${f.errors})`,
  );
}

await mkdir(new URL('./results/', import.meta.url), { recursive: true });
await writeFile(
  new URL('./results/booking.json', import.meta.url),
  JSON.stringify(
    {
      benchmark: 'booking',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      mix: { create: 0.4, get: 0.4, list: 0.2 },
      note: 'app.inject through the full Fastify app; every request also appends an audit row',
      results: figures,
    },
    null,
    2,
  ) + '\n',
);
console.log('written bench/results/booking.json');
