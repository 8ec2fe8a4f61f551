import { rm } from 'node:fs/promises';
import { buildClient } from './client-build.js';

/**
 * Vitest global setup for the end-to-end project: builds the test-hooks client once for the
 * whole run instead of once per test file (each build costs 40 s to 3 min on 2 cores), and
 * hands it to every file through SAMKONS_TEST_CLIENT_DIST, which `buildClient` copies.
 * Workers start after this runs and inherit the variable. A folder given from outside is
 * kept as it is (local iteration).
 */
export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env.SAMKONS_TEST_CLIENT_DIST) return undefined;
  const dir = await buildClient();
  process.env.SAMKONS_TEST_CLIENT_DIST = dir;
  return async () => {
    delete process.env.SAMKONS_TEST_CLIENT_DIST;
    await rm(dir, { recursive: true, force: true });
  };
}
