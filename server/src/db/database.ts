/** The one persistence interface: PGlite (embedded) and PostgreSQL (`pg`) implement it. */
export interface Queryable {
  /** Parameterised single statement ($1, $2...). */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
}

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

/**
 * A Queryable inside `Database.transaction`. Writes that are only correct as one unit take
 * this type, so the compiler refuses a bare Database (the audit chain's head update and
 * insert, say).
 */
export interface Transaction extends Queryable {
  readonly inTransaction: true;
}

export type DriverName = 'pglite' | 'pg';

/** Connections of the driver's pool, for /metrics. */
export interface PoolStats {
  total: number;
  idle: number;
  /** Queries waiting for a connection. */
  waiting: number;
}

export interface Database extends Queryable {
  readonly driver: DriverName;
  /** Runs `fn` in one transaction: commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /** The connection pool now (PGlite: its one connection, busy or idle). */
  poolStats?(): PoolStats;
}
