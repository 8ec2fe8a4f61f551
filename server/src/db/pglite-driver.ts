import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import v8 from 'node:v8';
import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.js';

type PgliteQueryable = Pick<PGlite, 'query'>;

/**
 * PostgreSQL's shared buffer pool inside PGlite's WASM memory. initdb sizes it for a server
 * (128 MB), and PostgreSQL touches all of it at start, so it was most of an idle server's
 * memory. One connection and a small database need far less: the OS page cache (or, for
 * `memory://`, the in-memory file system) holds what falls out of it.
 */
export const PGLITE_DEFAULT_SHARED_BUFFERS = '8MB';

/**
 * What PGlite starts PostgreSQL with, plus a shared buffer pool of `sharedBuffers` and room
 * for few backends (one connection; the lock table and per-backend arrays scale with it).
 */
const startParams = (sharedBuffers: string): string[] => [
  ...PGlite.defaultStartParams,
  '-c',
  `shared_buffers=${sharedBuffers}`,
  '-c',
  'max_connections=10',
];

const wrap = (q: PgliteQueryable, inFlight: { n: number }): Queryable => ({
  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    inFlight.n++;
    try {
      const r = await q.query<T>(sql, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    } finally {
      inFlight.n--;
    }
  },
});

/**
 * Creates a new data folder (initdb) in a short-lived Node process and, given `tarball`,
 * writes the folder there as a tar file too. PGlite runs initdb in a second, throwaway
 * PostgreSQL instance beside the real one; in the server's own process its WASM memories
 * (over 400 MB) stayed resident until V8 happened to collect them, which an idle server
 * never does. In a child they go when it exits.
 */
async function initialiseDataDir(dataDir: string, tarball?: string): Promise<void> {
  const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const script = `(async () => {
    const [dir, tarball] = process.argv.slice(1);
    const pg = await require(${JSON.stringify(entry)}).PGlite.create(dir);
    if (tarball) {
      const tar = await pg.dumpDataDir('none');
      require('node:fs').writeFileSync(tarball, Buffer.from(await tar.arrayBuffer()));
    }
    await pg.close();
  })().catch((err) => { console.error(err); process.exit(1); });`;
  const args = ['--liftoff-only', '-e', script, dataDir, ...(tarball ? [tarball] : [])];
  await promisify(execFile)(process.execPath, args, { env: { PATH: process.env.PATH ?? '' } });
}

/** The empty tarball, and the cache file it was read from (undefined: made here). */
let emptyDatabase: Promise<{ blob: Blob; fromCache?: string }> | undefined;

/**
 * A new, empty data folder as a tarball, for `memory://` databases: loaded into each instead
 * of an initdb every time. initdb takes 5-6 s on a quiet machine (in a child, see
 * initialiseDataDir), and every test server and test file that opens `memory://` paid it:
 * so the tarball is also kept between processes, in SAMKONS_CACHE_DIR (default
 * ~/.cache/samkons, beside the mediasoup worker build), under PGlite's version. Written to a
 * temporary name and renamed, so a reader never sees half a file; a cache that cannot be
 * read or written is only slower, and one PGlite cannot load is made again (`openEmpty`).
 */
function emptyDatabaseTarball(): Promise<{ blob: Blob; fromCache?: string }> {
  emptyDatabase ??= (async () => {
    const cached = await emptyDatabaseCachePath();
    if (cached) {
      const bytes = await readFile(cached).catch(() => undefined);
      if (bytes) return { blob: new Blob([bytes]), fromCache: cached };
    }
    const dir = await mkdtemp(path.join(os.tmpdir(), 'samkons-pglite-'));
    try {
      const tarball = path.join(dir, 'empty.tar');
      await initialiseDataDir(path.join(dir, 'data'), tarball);
      const bytes = await readFile(tarball);
      if (cached) await keepInCache(tarball, cached);
      return { blob: new Blob([bytes]) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  })();
  // A failure is not kept: the next open tries again.
  emptyDatabase.catch(() => (emptyDatabase = undefined));
  return emptyDatabase;
}

/** Where the empty tarball of this PGlite version is kept; undefined: no cache folder. */
export async function emptyDatabaseCachePath(): Promise<string | undefined> {
  const root = process.env.SAMKONS_CACHE_DIR || path.join(os.homedir(), '.cache', 'samkons');
  // The package exports no package.json: found above its entry point.
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  for (; dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const pkg = await readFile(path.join(dir, 'package.json'), 'utf8').catch(() => undefined);
    if (!pkg) continue;
    const { name, version } = JSON.parse(pkg) as { name?: string; version?: string };
    if (name === '@electric-sql/pglite' && version) {
      return path.join(root, `pglite-empty-${version}.tar`);
    }
  }
  return undefined;
}

async function keepInCache(tarball: string, cached: string): Promise<void> {
  const partial = `${cached}.${process.pid}.partial`;
  try {
    await mkdir(path.dirname(cached), { recursive: true });
    await copyFile(tarball, partial);
    await rename(partial, cached);
  } catch {
    await rm(partial, { force: true });
  }
}

/**
 * PGlite's WASM runs on V8's baseline compiler only. By default V8 also recompiles hot
 * functions of the 9 MB module with its optimising compiler on background threads; what
 * that leaves in the process (compiler memory kept by malloc's thread arenas, optimised
 * code) was about 40 MB of an idle server, for no gain measured on our queries (a
 * round trip of one small insert and one indexed select takes as long either way: the
 * time goes to the protocol and the JavaScript around the WASM). Set before PGlite
 * compiles; the process has no other WebAssembly.
 */
function baselineWasmOnly(): void {
  v8.setFlagsFromString('--liftoff-only');
}

/** A `memory://` database from the empty tarball; a kept one PGlite cannot load is made again. */
async function openEmpty(params: string[]): Promise<PGlite> {
  const empty = await emptyDatabaseTarball();
  try {
    return await PGlite.create({ loadDataDir: empty.blob, startParams: params });
  } catch (err) {
    if (!empty.fromCache) throw err;
    emptyDatabase = undefined;
    await rm(empty.fromCache, { force: true });
    const fresh = await emptyDatabaseTarball();
    return PGlite.create({ loadDataDir: fresh.blob, startParams: params });
  }
}

/** Embedded PostgreSQL (WASM). `memory://` for tests, a folder for the embedded start. */
export async function openPglite(
  dataDir: string,
  opts: { sharedBuffers?: string } = {},
): Promise<Database> {
  const inMemory = dataDir === 'memory://';
  baselineWasmOnly();
  if (!inMemory && !existsSync(path.join(dataDir, 'PG_VERSION'))) {
    // PGlite makes the data folder itself, but not the folders above it (`./data` of a
    // fresh checkout, for the default `./data/pglite`).
    await mkdir(path.dirname(path.resolve(dataDir)), { recursive: true });
    await initialiseDataDir(dataDir);
  }
  const params = startParams(opts.sharedBuffers ?? PGLITE_DEFAULT_SHARED_BUFFERS);
  const pg = inMemory
    ? await openEmpty(params)
    : await PGlite.create({ dataDir, startParams: params });
  const inFlight = { n: 0 };
  const self = wrap(pg, inFlight);
  return {
    driver: 'pglite',
    query: self.query,
    // PGlite serialises transactions itself (one connection).
    transaction: (fn) => pg.transaction((tx) => fn({ ...wrap(tx, inFlight), inTransaction: true })),
    exec: async (sql) => {
      await pg.exec(sql);
    },
    close: () => pg.close(),
    poolStats: () => ({
      total: 1,
      idle: inFlight.n === 0 ? 1 : 0,
      waiting: Math.max(0, inFlight.n - 1),
    }),
  };
}
