import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database, DriverName } from './database.js';
import { migrate } from './migrate.js';
import { openPg } from './pg-driver.js';
import { openPglite } from './pglite-driver.js';

/**
 * Drivers the tests run on: PGlite always, PostgreSQL when SAMKONS_TEST_PG_URL is set
 * (infra/test.sh sets it when 127.0.0.1:5432 answers). Decided at load time; no skips.
 */
export const testDrivers: DriverName[] = [
  'pglite',
  ...(process.env.SAMKONS_TEST_PG_URL ? (['pg'] as const) : []),
];

export function logDrivers(suite: string): void {
  console.log(
    `[${suite}] database drivers: ${testDrivers.join(', ')}${
      testDrivers.includes('pg')
        ? ''
        : ' (SAMKONS_TEST_PG_URL unset: PostgreSQL server tests not run)'
    }`,
  );
}

/**
 * A migrated, empty database. On PostgreSQL each call gets its own schema, dropped on
 * close, so parallel runs never collide.
 */
export async function openTestDatabase(driver: DriverName): Promise<Database> {
  if (driver === 'pglite') {
    const db = await openPglite('memory://');
    await migrate(db);
    return db;
  }
  const url = process.env.SAMKONS_TEST_PG_URL;
  if (!url) throw new Error('SAMKONS_TEST_PG_URL is not set');
  const schema = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const db = await openPg({ url, schema });
  await migrate(db);
  return {
    ...db,
    driver: db.driver,
    query: db.query,
    transaction: db.transaction,
    exec: db.exec,
    async close() {
      await db.close();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA ${schema} CASCADE`);
      await c.end();
    },
  };
}
