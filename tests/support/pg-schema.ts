import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** A fresh PostgreSQL schema for the servers of one test file, and a way to drop it. */
export interface ScratchSchema {
  /** `pgUrl` with the schema as its search path: give it to servers as DATABASE_URL. */
  databaseUrl: string;
  drop(): Promise<void>;
}

async function admin(pgUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `<prefix>_<time>_<random>` in the database at `pgUrl`. */
export async function createScratchSchema(pgUrl: string, prefix: string): Promise<ScratchSchema> {
  const schema = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await admin(pgUrl, `CREATE SCHEMA ${schema}`);
  const url = new URL(pgUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    databaseUrl: url.toString(),
    drop: () => admin(pgUrl, `DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}
