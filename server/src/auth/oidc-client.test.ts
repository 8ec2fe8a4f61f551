import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/database.js';
import { oidcLoginsRepo } from '../db/oidc-logins-repo.js';
import { logDrivers, openTestDatabase, testDrivers } from '../db/testing.js';
import { OidcClient } from './oidc-client.js';
import { sha256 } from './tokens.js';

logDrivers('oidc-client');

describe.each(testDrivers)('OidcClient on %s', (driver) => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase(driver);
  });
  afterAll(() => db.close());

  // fetch refuses port 9 (a "bad port") outright: an unreachable provider, no waiting.
  const unreachable = () =>
    new OidcClient(
      {
        issuer: 'http://127.0.0.1:9',
        clientId: 'samkons',
        redirectUri: 'https://samkons.test/login/callback',
        displayName: 'HelseID',
      },
      db,
      'staff',
    );

  it('answers 409 when the provider is unreachable at the start', async () => {
    await expect(unreachable().start()).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('answers 409, not 500, when the provider is unreachable at the callback', async () => {
    // The callback may land on a node that has not discovered the provider yet.
    await db.transaction((tx) =>
      oidcLoginsRepo.insert(
        tx,
        sha256('state-1'),
        { purpose: 'staff', codeVerifier: 'v', nonce: 'n', context: {} },
        new Date(Date.now() + 60_000),
      ),
    );
    await expect(unreachable().finish({ state: 'state-1', code: 'c' })).rejects.toMatchObject({
      code: 'invalid_state',
    });
  });

  it('refuses an unknown state before asking the provider', async () => {
    await expect(unreachable().finish({ state: 'nope', code: 'c' })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
  });
});
