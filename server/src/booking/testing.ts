import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { Database, DriverName } from '../db/database.js';
import { openTestDatabase } from '../db/testing.js';
import { createDomainServices, type DomainServices } from './services.js';

export interface TestApp {
  app: FastifyInstance;
  db: Database;
  services: DomainServices;
  close(): Promise<void>;
}

/** The real HTTP app on a fresh database, for `app.inject()` tests. */
export async function buildTestApp(
  driver: DriverName,
  env: Record<string, string> = {},
  opts: { loginRateLimitPerMinute?: number } = {},
): Promise<TestApp> {
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
    PUBLIC_URL: 'https://samkons.test',
    DEMO_DATA: 'false',
    ...env,
  });
  const db = await openTestDatabase(driver);
  const services = createDomainServices(config, db, {
    loginRateLimitPerMinute: opts.loginRateLimitPerMinute ?? 1000,
  });
  const app = await buildApp({ config, domain: services });
  await app.ready();
  return {
    app,
    db,
    services,
    async close() {
      await app.close();
      await db.close();
    },
  };
}
