/**
 * Login-like routes from outside: X-Forwarded-For counts only from a configured proxy, and
 * the limits are per account and address, so colleagues behind one NAT do not lock each
 * other out while one client cannot guess on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../server/src/booking/testing.js';
import { loadConfig } from '../../server/src/config.js';

const LIMIT = 5;

async function account(t: TestApp, username: string, password: string): Promise<void> {
  await t.db.transaction((tx) =>
    t.services.auth.createAccount(tx, {
      username,
      password,
      name: username,
      role: 'gp',
      organisation: 'Legekontoret',
    }),
  );
}

const login = (t: TestApp, username: string, password: string, forwardedFor?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { username, password },
    ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
  });

async function auditedAddresses(t: TestApp, username: string): Promise<string[]> {
  const r = await t.db.query<{ client_address: string }>(
    `SELECT client_address FROM audit_log WHERE actor_name = $1 ORDER BY seq`,
    [username],
  );
  return r.rows.map((x) => x.client_address);
}

describe('login limits without a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp('pglite', {
      LOGIN_RATE_LIMIT_PER_MINUTE: String(LIMIT),
      LOGIN_RATE_LIMIT_PER_ADDRESS_PER_MINUTE: '12',
    });
    await account(t, 'ola', 'rett-passord-ola');
    await account(t, 'kari', 'rett-passord-kari');
    await account(t, 'per', 'rett-passord-per');
  });
  afterAll(() => t.close());

  it('ignores a forged X-Forwarded-For: the limit holds and the audit log keeps the real address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      codes.push((await login(t, 'ola', 'feil', `203.0.113.${i + 1}`)).statusCode);
    }
    expect(codes.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    expect(codes.slice(LIMIT)).toEqual([429, 429]);
    const limited = await login(t, 'ola', 'rett-passord-ola', '198.51.100.7');
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const addresses = await auditedAddresses(t, 'ola');
    expect(addresses.length).toBe(LIMIT);
    expect(new Set(addresses)).toEqual(new Set(['127.0.0.1']));
  });

  it('lets a colleague behind the same address log in while one account is locked', async () => {
    // 'ola' is locked from 127.0.0.1 (previous test); Kari shares the address (one NAT).
    expect((await login(t, 'ola', 'rett-passord-ola')).statusCode).toBe(429);
    const kari = await login(t, 'kari', 'rett-passord-kari');
    expect(kari.statusCode, kari.body).toBe(200);
  });

  it('caps all attempts from one address, whichever accounts they name', async () => {
    // 8 + 2 attempts so far; the address allows 12 a minute.
    const codes: number[] = [];
    for (const name of ['a1', 'a2', 'a3']) codes.push((await login(t, name, 'x')).statusCode);
    expect(codes).toEqual([401, 401, 429]);
    expect((await login(t, 'per', 'rett-passord-per')).statusCode).toBe(429);
  });
});

describe('login behind a configured proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    // app.inject() connects from 127.0.0.1: that is the proxy here.
    t = await buildTestApp('pglite', {
      LOGIN_RATE_LIMIT_PER_MINUTE: String(LIMIT),
      TRUST_PROXY: '127.0.0.1',
    });
    await account(t, 'ola', 'rett-passord-ola');
  });
  afterAll(() => t.close());

  it('believes the proxy: the forwarded address is limited and audited', async () => {
    for (let i = 0; i < LIMIT; i++) {
      expect((await login(t, 'ola', 'feil', '203.0.113.9')).statusCode).toBe(401);
    }
    expect((await login(t, 'ola', 'feil', '203.0.113.9')).statusCode).toBe(429);
    // Another client behind the same proxy is not held back by the first one's guesses.
    expect((await login(t, 'ola', 'rett-passord-ola', '198.51.100.20')).statusCode).toBe(200);
    expect(new Set(await auditedAddresses(t, 'ola'))).toEqual(
      new Set(['203.0.113.9', '198.51.100.20']),
    );
  });
});

describe('TRUST_PROXY configuration', () => {
  it('is off unless set, and takes only addresses and ranges', () => {
    expect(loadConfig({}).http.trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.1, 10.1.0.0/16,loopback' }).http.trustProxy).toEqual([
      '10.0.0.1',
      '10.1.0.0/16',
      'loopback',
    ]);
    expect(loadConfig({ TRUST_PROXY: '::1,fd00::/8' }).http.trustProxy).toEqual([
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['true', '*', '2', '10.0.0.1/33', 'proxy.example.no', '10.0.0.0/8/1']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });
});
