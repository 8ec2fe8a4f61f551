/**
 * The audit log is a hash chain: an edited, deleted or truncated row is caught by the
 * verifier, which names the first broken row; the CLI says the same.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditList } from '@samkons/shared';
import { verifyAuditChain } from '../../server/src/audit/audit-log.js';
import {
  buildTestApp,
  createWorld,
  staffLogin,
  type TestApp,
  type World,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';
import { openPglite } from '../../server/src/db/pglite-driver.js';
import { migrate } from '../../server/src/db/migrate.js';
import { appendAudit } from '../../server/src/audit/audit-log.js';
import { SYSTEM_ACTOR } from '../../server/src/audit/actor.js';

logDrivers('audit');

describe.each(testDrivers)('audit log on %s', (driver) => {
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    t = await buildTestApp(driver, { INVITE_OPENS_MINUTES_BEFORE: '100000' });
    const staff = {
      specialist: await staffLogin(t, 'specialist'),
      gp: await staffLogin(t, 'gp'),
      municipal: await staffLogin(t, 'municipal'),
    };
    w = await createWorld(t, staff, new Date(Date.now() + 86400_000));
    // Some reads and changes to log.
    // The GP reads; the organiser (the specialist) changes the booking.
    const read = await t.app.inject({
      method: 'GET',
      url: `/api/consultations/${w.consultation.id}`,
      headers: { authorization: `Bearer ${staff.gp.accessToken}` },
    });
    expect(read.statusCode, read.body).toBe(200);
    const update = await t.app.inject({
      method: 'PATCH',
      url: `/api/consultations/${w.consultation.id}`,
      headers: { authorization: `Bearer ${staff.specialist.accessToken}` },
      payload: { title: 'Endra' },
    });
    expect(update.statusCode, update.body).toBe(200);
  });
  afterAll(() => t.close());

  it('lets the patient read who accessed their consultation, with assurance level and address', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/consultations/${w.consultation.id}/audit`,
      headers: { authorization: `Bearer ${w.tokens.patient}` },
      remoteAddress: '10.1.2.3',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { entries } = AuditList.parse(res.json());
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'consultation.create',
        'invite.exchange',
        'consultation.read',
        'consultation.update',
        'audit.read',
      ]),
    );
    const read = entries.find((e) => e.action === 'consultation.read');
    expect(read).toMatchObject({ actorType: 'staff', actorRole: 'gp', assuranceLevel: 'low' });
    expect(entries.at(-1)).toMatchObject({
      action: 'audit.read',
      actorRole: 'patient',
      clientAddress: '10.1.2.3',
    });
    // Only this consultation's rows.
    expect(entries.every((e) => e.consultationId === w.consultation.id)).toBe(true);
  });

  it('verifies an intact chain', async () => {
    const v = await verifyAuditChain(t.db);
    expect(v.ok).toBe(true);
    if (v.ok) expect(v.rows).toBeGreaterThanOrEqual(10);
  });

  it('names the first edited row after a direct SQL UPDATE', async () => {
    const rows = await t.db.query<{ seq: string }>(
      "SELECT seq FROM audit_log WHERE action = 'consultation.update' ORDER BY seq LIMIT 1",
    );
    const seq = Number(rows.rows[0]?.seq);
    // An attacker with owner rights switches the guard off first.
    await t.db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
    await t.db.query("UPDATE audit_log SET actor_name = 'Someone else' WHERE seq = $1", [seq]);
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: false, brokenSeq: seq, reason: expect.stringMatching(/hash/) });
  });

  it('names a deleted row', async () => {
    await t.db.query('DELETE FROM audit_log WHERE seq = 2');
    const v = await verifyAuditChain(t.db);
    expect(v).toMatchObject({ ok: false, brokenSeq: 2 });
  });
});

describe('audit verify CLI', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'samkons-audit-'));
    const db = await openPglite(dir);
    await migrate(db);
    for (let i = 0; i < 5; i++) {
      await db.transaction((tx) =>
        appendAudit(tx, {
          actor: SYSTEM_ACTOR,
          action: `test.${i}`,
          consultationId: null,
          clientAddress: null,
        }),
      );
    }
    await db.close();
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const run = async () => {
    const cli = path.resolve('server/src/audit/verify-cli.ts');
    try {
      const r = await promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', '--conditions', 'samkons-source', cli],
        { env: { ...process.env, PGLITE_DATA_DIR: dir, DATABASE_URL: '' } },
      );
      return { code: 0, out: r.stdout + r.stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };

  it('reports an intact chain, then the first broken row with exit code 1', async () => {
    const ok = await run();
    expect(ok.out).toMatch(/intact: 5 rows/);
    expect(ok.code).toBe(0);
    const db = await openPglite(dir);
    await db.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete');
    await db.query("UPDATE audit_log SET action = 'forged' WHERE seq = 3");
    await db.close();
    const broken = await run();
    expect(broken.code).toBe(1);
    expect(broken.out).toMatch(/BROKEN at row seq=3/);
  });
});
