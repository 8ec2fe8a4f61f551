import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { verifyAuditChain } from '../audit/audit-log.js';
import { createDomainServices } from '../booking/services.js';
import { consultationsRepo } from '../db/consultations-repo.js';
import { migrate, openPglite, type Database } from '../db/index.js';
import { createReports } from './index.js';

let db: Database | undefined;
afterAll(async () => {
  await db?.close();
});

describe('ReportsService audit', () => {
  it('concurrent report reads keep the audit chain intact', async () => {
    db = await openPglite('memory://');
    await migrate(db);
    const reports = await createReports(db);
    const services = createDomainServices(
      loadConfig({ LOG_LEVEL: 'silent', JWT_SECRET: 'x'.repeat(40) }),
      db,
    );
    const accountId = await services.auth.createAccount(db, {
      username: 'analyst',
      name: 'Analyst',
      role: 'specialist',
      organisation: 'Test',
      password: 'secret-password',
    });
    await reports.grantReporting(accountId);
    const { accessToken } = await services.auth.login('analyst', 'secret-password', {
      clientAddress: null,
    });
    const analyst = await services.auth.authenticate(`Bearer ${accessToken}`);
    const id = randomUUID();
    const now = new Date().toISOString();
    await consultationsRepo.insert(db, {
      id,
      kind: 'co_consultation',
      status: 'booked',
      title: null,
      startsAt: now,
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
      organiserId: accountId,
      documentingOrganisation: 'Test',
      cancelReason: null,
      createdAt: now,
      updatedAt: now,
    });

    await Promise.all(
      Array.from({ length: 4 }, () => reports.travelPlans(analyst, id, { clientAddress: null })),
    );

    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });
});
