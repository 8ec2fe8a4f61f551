import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { emptyDatabaseCachePath, openPglite } from './pglite-driver.js';

// A cache folder of its own: this file's process has made no empty database yet (vitest
// runs each file in a fresh module graph), so the first open makes one and keeps it there.
let cacheDir: string;
const previous = process.env.SAMKONS_CACHE_DIR;
beforeAll(async () => {
  cacheDir = await mkdtemp(path.join(os.tmpdir(), 'samkons-cache-test-'));
  process.env.SAMKONS_CACHE_DIR = cacheDir;
});
afterAll(async () => {
  if (previous === undefined) delete process.env.SAMKONS_CACHE_DIR;
  else process.env.SAMKONS_CACHE_DIR = previous;
  await rm(cacheDir, { recursive: true, force: true });
});

it('keeps the empty memory:// database between processes, whole, under PGlite’s version, and makes a damaged one again', async () => {
  // A kept file PGlite cannot load (damaged by hand, or by a tool): replaced, not fatal.
  const kept = await emptyDatabaseCachePath();
  expect(path.dirname(kept!)).toBe(cacheDir);
  await writeFile(kept!, 'not a tarball');
  const db = await openPglite('memory://');
  try {
    expect((await db.query<{ n: number }>('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
  } finally {
    await db.close();
  }
  const files = await readdir(cacheDir);
  // No partial file left beside it.
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^pglite-empty-\d+\.\d+\.\d+\.tar$/);
  expect((await stat(path.join(cacheDir, files[0]!))).size).toBeGreaterThan(1_000_000);
});
