/**
 * OpenID Connect login against a real oidc-provider started here (standing in for
 * HelseID / ID-porten): code flow with PKCE, the account found by (issuer, subject), and
 * the provider's acr recorded as the login's assurance level.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenResponse } from '@samkons/shared';
import { buildTestApp, type TestApp } from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';

logDrivers('oidc');

// The client page the provider returns the browser to; it forwards the query to the API.
const REDIRECT = 'https://samkons.test/login/callback';

interface LocalIdp {
  issuer: string;
  /** Who logs in at the next interaction, and with which acr. */
  next: { sub: string; acr: string };
  close(): Promise<void>;
}

async function startIdp(): Promise<LocalIdp> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: LocalIdp = {
    issuer,
    next: { sub: 'unknown', acr: 'idporten-loa-high' },
    close: () => new Promise((r) => server.close(() => r())),
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: 'samkons',
        client_secret: 'samkons-test-secret',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        // Like ID-porten and HelseID, always state the level of the login in `acr`.
        default_acr_values: ['idporten-loa-substantial', 'idporten-loa-high'],
      },
    ],
    cookies: { keys: ['test-cookie-key'] },
    acrValues: ['idporten-loa-substantial', 'idporten-loa-high'],
    features: { devInteractions: { enabled: false } },
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    // Consent is the app's business here: grant the requested scopes at once.
    loadExistingGrant: async (ctx) => {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client!.clientId,
        accountId: ctx.oidc.session!.accountId!,
      });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      // The "login page": the test user authenticates with the configured acr.
      void provider
        .interactionFinished(
          req,
          res,
          { login: { accountId: idp.next.sub, acr: idp.next.acr } },
          { mergeWithLastSubmission: false },
        )
        .catch((err: unknown) => {
          res.statusCode = 500;
          res.end(String(err));
        });
      return;
    }
    void callback(req, res);
  });
  return idp;
}

/** Follows the provider's redirects like a browser until it sends us back to the app. */
async function browse(start: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(start);
  for (let hop = 0; hop < 10; hop++) {
    const res = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const loc = res.headers.get('location');
    if (!loc) throw new Error(`no redirect from ${url.href}: ${res.status} ${await res.text()}`);
    const next = new URL(loc, url);
    if (next.href.startsWith(REDIRECT)) return next;
    url = next;
  }
  throw new Error('too many redirects');
}

describe.each(testDrivers)('OIDC login on %s', (driver) => {
  let idp: LocalIdp;
  let t: TestApp;
  let accountId: string;

  beforeAll(async () => {
    idp = await startIdp();
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
    const back = await browse(start.json<{ authorizationUrl: string }>().authorizationUrl);
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
