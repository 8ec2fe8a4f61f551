import type { Config } from '../config.js';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { openPglite } from './pglite-driver.js';

export type { Database, Queryable, QueryResult, DriverName } from './database.js';
export { migrate } from './migrate.js';
export { openPglite } from './pglite-driver.js';

/**
 * Opens the configured driver and brings the schema up to date. `pg` is imported only for
 * PostgreSQL (about 3 MB of heap the embedded default does not need); import `openPg` from
 * `./pg-driver.js`.
 */
export async function openDatabase(config: Pick<Config, 'db'>): Promise<Database> {
  const db =
    config.db.driver === 'pg'
      ? await (await import('./pg-driver.js')).openPg({ url: config.db.url })
      : await openPglite(config.db.dataDir, { sharedBuffers: config.db.sharedBuffers });
  await migrate(db);
  return db;
}
