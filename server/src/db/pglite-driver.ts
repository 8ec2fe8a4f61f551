import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.js';

type PgliteQueryable = Pick<PGlite, 'query'>;

const wrap = (q: PgliteQueryable): Queryable => ({
  async query<T>(sql: string, params?: unknown[]): Promise<QueryResult<T>> {
    const r = await q.query<T>(sql, params);
    return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
  },
});

/** Embedded PostgreSQL (WASM). `memory://` for tests, a folder for the embedded start. */
export async function openPglite(dataDir: string): Promise<Database> {
  const pg = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
  const self = wrap(pg);
  return {
    driver: 'pglite',
    query: self.query,
    // PGlite serialises transactions itself (one connection).
    transaction: (fn) => pg.transaction((tx) => fn({ ...wrap(tx), inTransaction: true })),
    exec: async (sql) => {
      await pg.exec(sql);
    },
    close: () => pg.close(),
  };
}
