/**
 * OpenID Connect login against a real oidc-provider started here (standing in for
 * HelseID / ID-porten): code flow with PKCE, the account found by (issuer, subject), and
 * the provider's acr recorded as the login's assurance level.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenResponse } from '@samkons/shared';
import { buildTestApp, type TestApp } from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';
import { followLogin, startLocalIdp, type LocalIdp } from '../support/local-idp.js';

logDrivers('oidc');

// The client page the provider returns the browser to; it forwards the query to the API.
const REDIRECT = 'https://samkons.test/login/callback';

describe.each(testDrivers)('OIDC login on %s', (driver) => {
  let idp: LocalIdp;
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    idp = await startLocalIdp([
      { clientId: 'samkons', clientSecret: 'samkons-test-secret', redirectUris: [REDIRECT] },
    ]);
    t = await buildTestApp(driver, {
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: 'samkons',
      OIDC_CLIENT_SECRET: 'samkons-test-secret',
    });
    accountId = await t.db.transaction((tx) =>
      t.services.auth.createAccount(tx, {
        username: 'helseid-spesialist',
        name: 'Dr. HelseID',
        role: 'specialist',
        organisation: 'Helse Bergen',
        oidc: { issuer: idp.issuer, subject: 'helseid-sub-1' },
      }),
    );
  });
  afterAll(async () => {
    await t.close();
    await idp.close();
  });

  const login = async (sub: string, acr: string) => {
    idp.next = { sub, acr };
    const start = await t.app.inject({ method: 'GET', url: '/api/auth/oidc/start' });
    expect(start.statusCode, start.body).toBe(200);
    const back = await followLogin(
      start.json<{ authorizationUrl: string }>().authorizationUrl,
      REDIRECT,
    );
    return {
      back,
      res: await t.app.inject({ method: 'GET', url: `/api/auth/oidc/callback${back.search}` }),
    };
  };

  it('logs a linked staff account in and records assurance level high', async () => {
    const { res } = await login('helseid-sub-1', 'idporten-loa-high');
    expect(res.statusCode, res.body).toBe(200);
    const body = TokenResponse.parse(res.json());
    expect(body.account.id).toBe(accountId);
    expect(body.assuranceLevel).toBe('high');
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${body.accessToken}` },
    });
    expect(me.json()).toMatchObject({ kind: 'staff', assuranceLevel: 'high' });
    const audit = await t.db.query<{ assurance_level: string }>(
      "SELECT assurance_level FROM audit_log WHERE action = 'auth.login.oidc' ORDER BY seq DESC LIMIT 1",
    );
    expect(audit.rows[0]?.assurance_level).toBe('high');
  });

  it('records substantial when the provider says so', async () => {
    const { res } = await login('helseid-sub-1', 'idporten-loa-substantial');
    expect(TokenResponse.parse(res.json()).assuranceLevel).toBe('substantial');
  });

  it('refuses an identity without a linked account, and a replayed callback', async () => {
    const { res, back } = await login('someone-else', 'idporten-loa-high');
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ error: { code: 'forbidden' } });
    const replay = await t.app.inject({
      method: 'GET',
      url: `/api/auth/oidc/callback${back.search}`,
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});
