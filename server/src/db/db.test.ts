import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from './database.js';
import { migrate } from './migrate.js';
import { appendAudit } from '../audit/audit-log.js';
import { SYSTEM_ACTOR } from '../audit/actor.js';
import { migrations } from './migrations.js';
import { logDrivers, openTestDatabase, testDrivers } from './testing.js';

logDrivers('db');

describe.each(testDrivers)('database on %s', (driver) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(driver);
  });
  afterAll(() => db.close());

  it('records every migration once and re-running applies nothing', async () => {
    const r = await db.query<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(r.rows.map((x) => x.version)).toEqual(migrations.map((m) => m.version));
    expect(await migrate(db)).toEqual([]);
  });

  it('rolls back a transaction that throws', async () => {
    await expect(
      db.transaction(async (tx) => {
        await tx.query(
          `INSERT INTO accounts (id, username, name, role, organisation)
           VALUES ('00000000-0000-4000-8000-000000000001', 'x', 'X', 'gp', 'Org')`,
        );
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const r = await db.query('SELECT 1 FROM accounts WHERE username = $1', ['x']);
    expect(r.rows).toHaveLength(0);
  });

  it('refuses UPDATE and DELETE on the audit log', async () => {
    await db.transaction((tx) =>
      appendAudit(tx, {
        actor: SYSTEM_ACTOR,
        action: 'test',
        consultationId: null,
        clientAddress: null,
      }),
    );
    await expect(db.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
    await expect(db.query("UPDATE audit_log SET action = 'x'")).rejects.toThrow(/append-only/);
  });
});
