import { PGlite } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from './database.js';

type PgliteQueryable = Pick<PGlite, 'query'>;

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

/** Embedded PostgreSQL (WASM). `memory://` for tests, a folder for the embedded start. */
export async function openPglite(dataDir: string): Promise<Database> {
  const pg = await PGlite.create(dataDir === 'memory://' ? undefined : dataDir);
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
