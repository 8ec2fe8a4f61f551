import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createDomainServices, type DomainServices } from '../booking/services.js';
import type { Database } from '../db/database.js';
import { logDrivers, openTestDatabase, testDrivers } from '../db/testing.js';
import { DEMO_ACCOUNTS, seedDemoData } from './seed.js';

logDrivers('demo-seed');

// The seed sends its inserts at once inside one transaction: each driver must queue them.
describe.each(testDrivers)('demo data on %s', (driver) => {
  let db: Database;
  let services: DomainServices;
  beforeAll(async () => {
    db = await openTestDatabase(driver);
    services = createDomainServices(loadConfig({ LOG_LEVEL: 'silent' }), db);
  });
  afterAll(() => db.close());

  it('seeds an empty database once, and the demo logins work', async () => {
    expect(await seedDemoData(db, services)).toBe(true);
    expect(await seedDemoData(db, services)).toBe(false);
    for (const a of DEMO_ACCOUNTS) {
      const tokens = await services.auth.login(a.username, a.password, { clientAddress: null });
      expect(tokens.account.role).toBe(a.role);
    }
    const specialist = DEMO_ACCOUNTS[0];
    const t = await services.auth.login(specialist.username, specialist.password, {
      clientAddress: null,
    });
    const principal = await services.auth.authenticate(`Bearer ${t.accessToken}`);
    const list = await services.booking.list(
      principal,
      new Date(Date.now() - 3600_000).toISOString(),
      new Date(Date.now() + 8 * 86400_000).toISOString(),
      { clientAddress: null },
    );
    expect(list.map((c) => c.kind).sort()).toEqual([
      'co_consultation',
      'discharge_meeting',
      'guidance',
    ]);
  });
});
