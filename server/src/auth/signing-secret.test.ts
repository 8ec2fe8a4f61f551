import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../config.js';
import type { Database } from '../db/database.js';
import { resolveSigningSecret, SIGNING_SECRET_FILE } from './signing-secret.js';

/** The embedded default: no JWT_SECRET, PGlite data in `dataDir`. */
const embedded = (dataDir: string, jwtSecret?: string) =>
  ({ auth: { jwtSecret }, db: { driver: 'pglite', dataDir } }) as unknown as Pick<
    Config,
    'auth' | 'db'
  >;
const noDb = {} as Database;

describe('signing secret of the embedded default', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'samkons-secret-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is made once, kept whole with mode 0600, and read again on the next start', async () => {
    // Several starts at once: one secret wins and every start gets it, never a half-written file.
    const secrets = await Promise.all(
      Array.from({ length: 8 }, () => resolveSigningSecret(embedded(dir), noDb)),
    );
    expect(new Set(secrets).size).toBe(1);
    const file = path.join(dir, SIGNING_SECRET_FILE);
    expect((await readFile(file, 'utf8')).trim()).toBe(secrets[0]);
    expect(secrets[0]!.length).toBeGreaterThanOrEqual(32);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    // No temporary files left beside the data.
    expect(await readdir(dir)).toEqual([SIGNING_SECRET_FILE]);
    expect(await resolveSigningSecret(embedded(dir), noDb)).toBe(secrets[0]);
  });

  it('refuses a file that holds no usable secret, with what to do', async () => {
    await writeFile(path.join(dir, SIGNING_SECRET_FILE), '', { mode: 0o600 });
    await expect(resolveSigningSecret(embedded(dir), noDb)).rejects.toThrow(
      /no usable signing secret: remove it or set JWT_SECRET/,
    );
  });

  it('uses JWT_SECRET when set, and nothing for an in-memory database', async () => {
    const explicit = 'x'.repeat(40);
    expect(await resolveSigningSecret(embedded(dir, explicit), noDb)).toBe(explicit);
    expect(await readdir(dir)).toEqual([]);
    expect(await resolveSigningSecret(embedded('memory://'), noDb)).toBeUndefined();
  });
});
