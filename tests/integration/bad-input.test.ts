/**
 * Every kind of bad input gets a JSON 4xx with a stable code: never a 500, never
 * half-written data.
 */
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, ErrorCode } from '@samkons/shared';
import {
  buildTestApp,
  createWorld,
  staffLogin,
  type StaffLogin,
  type TestApp,
  type World,
} from '../../server/src/booking/testing.js';
import { logDrivers, testDrivers } from '../../server/src/db/testing.js';

logDrivers('bad-input');

const SECRET = 'test-secret-that-is-long-enough-0123456789';
const huge = 'x'.repeat(10_000);
const uuid0 = '00000000-0000-4000-8000-000000000000';

describe.each(testDrivers)('bad input on %s', (driver) => {
  let t: TestApp;
  let spec: StaffLogin;
  let w: World;

  beforeAll(async () => {
    t = await buildTestApp(driver, { INVITE_OPENS_MINUTES_BEFORE: '100000' });
    spec = await staffLogin(t, 'specialist');
    w = await createWorld(
      t,
      {
        specialist: spec,
        gp: await staffLogin(t, 'gp'),
        municipal: await staffLogin(t, 'municipal'),
      },
      new Date(Date.now() + 86400_000),
    );
  });
  afterAll(() => t.close());

  const auth = () => ({ authorization: `Bearer ${spec.accessToken}` });
  const validCreate = () => ({
    kind: 'follow_up',
    startsAt: new Date(Date.now() + 5 * 86400_000).toISOString(),
    endsAt: new Date(Date.now() + 5 * 86400_000 + 1800_000).toISOString(),
    documentingOrganisation: 'Helse Bergen',
  });

  interface Case {
    name: string;
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    url: string | (() => string);
    headers?: () => Record<string, string>;
    payload?: unknown;
    raw?: string;
    contentType?: string;
    status: number;
    code: ErrorCode;
  }

  const cases: Case[] = [
    {
      name: 'malformed JSON',
      method: 'POST',
      url: '/api/auth/login',
      raw: '{"username":',
      contentType: 'application/json',
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'wrong content type',
      method: 'POST',
      url: '/api/auth/login',
      raw: 'username=a',
      contentType: 'text/xml',
      status: 415,
      code: 'bad_request',
    },
    {
      name: 'wrong types in login',
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 42, password: [] },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'huge username',
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: huge, password: 'x' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'body over the size limit',
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'a', password: 'x'.repeat(300_000) },
      status: 413,
      code: 'payload_too_large',
    },
    {
      name: 'wrong password',
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'nobody', password: 'x' },
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'unknown refresh token',
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: 'nope' },
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'no token',
      method: 'GET',
      url: () => `/api/consultations/${w.consultation.id}`,
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'not a bearer token',
      method: 'GET',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: () => ({ authorization: 'Basic abc' }),
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'tampered token',
      method: 'GET',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: () => ({ authorization: `Bearer ${tamper(spec.accessToken)}` }),
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'token signed with another secret',
      method: 'GET',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: () => ({
        authorization: `Bearer ${jwt.sign({ sub: spec.accountId, sid: uuid0, role: 'specialist', asr: 'high' }, 'another-secret-0123456789-0123456789', { issuer: 'samkons', audience: 'access' })}`,
      }),
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'expired token',
      method: 'GET',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: () => ({ authorization: `Bearer ${expired(spec.accessToken)}` }),
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'alg none token',
      method: 'GET',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: () => ({
        authorization: `Bearer ${jwt.sign({ sub: spec.accountId }, '', { algorithm: 'none', issuer: 'samkons', audience: 'access' })}`,
      }),
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'invite token used as access token',
      method: 'GET',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: () => ({
        authorization: `Bearer ${jwt.sign({ sub: uuid0, cid: uuid0, inv: uuid0 }, SECRET, { issuer: 'samkons', audience: 'invite' })}`,
      }),
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'garbage invite',
      method: 'POST',
      url: '/api/invites/exchange',
      payload: { token: 'garbage' },
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'forged invite (unknown id)',
      method: 'POST',
      url: '/api/invites/exchange',
      payload: {
        token: jwt.sign({ sub: uuid0, cid: uuid0, inv: uuid0 }, SECRET, {
          issuer: 'samkons',
          audience: 'invite',
        }),
      },
      status: 401,
      code: 'unauthenticated',
    },
    {
      name: 'id that is not a uuid',
      method: 'GET',
      url: '/api/consultations/not-a-uuid',
      headers: auth,
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'unknown consultation',
      method: 'GET',
      url: `/api/consultations/${uuid0}`,
      headers: auth,
      status: 404,
      code: 'not_found',
    },
    { name: 'unknown route', method: 'GET', url: '/api/nope', status: 404, code: 'not_found' },
    {
      name: 'create: wrong types',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: { kind: 7, startsAt: true, endsAt: null, documentingOrganisation: {} },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: unknown kind',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: { ...validCreate(), kind: 'party' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: ends before start',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: { ...validCreate(), endsAt: '2020-01-01T00:00:00Z' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: date without offset',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: { ...validCreate(), startsAt: '2030-01-01 10:00' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: huge title',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: { ...validCreate(), title: huge },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: patient without birth date',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: {
        ...validCreate(),
        participants: [{ role: 'patient', name: 'P', joinsFrom: 'home', travelDistanceKm: 1 }],
      },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: negative distance',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: {
        ...validCreate(),
        participants: [{ role: 'interpreter', name: 'T', joinsFrom: 'home', travelDistanceKm: -1 }],
      },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: unknown account (nothing written)',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: {
        ...validCreate(),
        participants: [
          { role: 'interpreter', name: 'T', joinsFrom: 'home', travelDistanceKm: 1 },
          { role: 'gp', name: 'G', joinsFrom: 'gp_office', travelDistanceKm: 0, accountId: uuid0 },
        ],
      },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'create: two patients',
      method: 'POST',
      url: '/api/consultations',
      headers: auth,
      payload: {
        ...validCreate(),
        participants: [1, 2].map((i) => ({
          role: 'patient',
          name: `P${i}`,
          joinsFrom: 'home',
          travelDistanceKm: 1,
          birthDate: '1950-01-01',
        })),
      },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'list: to before from',
      method: 'GET',
      url: '/api/consultations?from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z',
      headers: auth,
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'list: missing range',
      method: 'GET',
      url: '/api/consultations',
      headers: auth,
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'update: empty patch',
      method: 'PATCH',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: auth,
      payload: {},
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'reschedule: garbage dates',
      method: 'POST',
      url: () => `/api/consultations/${w.consultation.id}/reschedule`,
      headers: auth,
      payload: { startsAt: 'tomorrow', endsAt: 'later' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'remove unknown participant',
      method: 'DELETE',
      url: () => `/api/consultations/${w.consultation.id}/participants/${uuid0}`,
      headers: auth,
      status: 404,
      code: 'not_found',
    },
    {
      name: 'consent covering a stranger',
      method: 'POST',
      url: () => `/api/consultations/${w.consultation.id}/consents`,
      headers: auth,
      payload: () => ({
        method: 'verbal',
        givenByParticipantId: w.byRole.patient,
        coveredParticipantIds: [uuid0],
        shareHealthInfo: true,
      }),
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'verbal consent by a non-holder',
      method: 'POST',
      url: () => `/api/consultations/${w.consultation.id}/consents`,
      headers: auth,
      payload: () => ({
        method: 'verbal',
        givenByParticipantId: w.byRole.interpreter,
        coveredParticipantIds: [],
        shareHealthInfo: true,
      }),
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'withdraw unknown consent',
      method: 'POST',
      url: () => `/api/consultations/${w.consultation.id}/consents/${uuid0}/withdraw`,
      headers: auth,
      payload: () => ({ withdrawnByParticipantId: w.byRole.patient }),
      status: 404,
      code: 'not_found',
    },
    {
      name: 'consent: huge id list',
      method: 'POST',
      url: () => `/api/consultations/${w.consultation.id}/consents`,
      headers: auth,
      payload: {
        method: 'in_app',
        coveredParticipantIds: Array(1000).fill(uuid0),
        shareHealthInfo: true,
      },
      status: 400,
      code: 'bad_request',
    },
  ];

  // Control characters in every text field (PostgreSQL refuses NUL: it used to be a 500).
  const validParticipant = {
    role: 'interpreter',
    name: 'Tolk',
    organisation: 'Tolketenesta',
    joinsFrom: 'home',
    travelDistanceKm: 0,
  };
  const controlCases: Case[] = [
    ...(['\u0000', '\u0007', '\u001b', '\u009b'] as const).flatMap((ch): Case[] => [
      {
        name: `login username with U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`,
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: `ola${ch}`, password: 'x' },
        status: 400,
        code: 'bad_request',
      },
      {
        name: `title with U+${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`,
        method: 'POST',
        url: '/api/consultations',
        headers: auth,
        payload: () => ({ ...validCreate(), title: `Oppfølging${ch}` }),
        status: 400,
        code: 'bad_request',
      },
    ]),
    ...[
      ['login password', '/api/auth/login', () => ({ username: 'ola', password: 'a\u0000b' })],
      ['refresh token', '/api/auth/refresh', () => ({ refreshToken: 'a\u0000b' })],
      ['invite token', '/api/invites/exchange', () => ({ token: 'a\u0000b' })],
      [
        'documenting organisation',
        '/api/consultations',
        () => ({ ...validCreate(), documentingOrganisation: 'Helse\u0000Bergen' }),
      ],
      [
        'participant name',
        '/api/consultations',
        () => ({ ...validCreate(), participants: [{ ...validParticipant, name: 'T\u0000' }] }),
      ],
      [
        'participant organisation',
        '/api/consultations',
        () => ({
          ...validCreate(),
          participants: [{ ...validParticipant, organisation: '\u0000' }],
        }),
      ],
      [
        'added participant name',
        () => `/api/consultations/${w.consultation.id}/participants`,
        () => ({ ...validParticipant, name: 'Tolk\u0000' }),
      ],
      [
        'cancel reason',
        () => `/api/consultations/${w.consultation.id}/cancel`,
        () => ({ reason: 'sjuk\u0000' }),
      ],
    ].map(([what, url, payload]): Case => ({
      name: `${what as string} with NUL`,
      method: 'POST',
      url: url as Case['url'],
      headers: auth,
      payload: payload as () => unknown,
      status: 400,
      code: 'bad_request',
    })),
    {
      name: 'update title with NUL',
      method: 'PATCH',
      url: () => `/api/consultations/${w.consultation.id}`,
      headers: auth,
      payload: { title: 'Ny\u0000' },
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'NUL in a query string',
      method: 'GET',
      url: '/api/consultations?from=2030-01-01T00:00:00Z%00&to=2030-01-02T00:00:00Z',
      headers: auth,
      status: 400,
      code: 'bad_request',
    },
    {
      name: 'NUL in an eID callback query',
      method: 'GET',
      url: '/api/auth/oidc/callback?code=a%00b&state=x',
      status: 400,
      code: 'bad_request',
    },
  ];
  cases.push(...controlCases);

  it.each(cases)('$name → $status $code', async (c) => {
    const before = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM consultations');
    const res = await t.app.inject({
      method: c.method,
      url: typeof c.url === 'function' ? c.url() : c.url,
      headers: {
        ...(c.headers?.() ?? {}),
        ...(c.contentType ? { 'content-type': c.contentType } : {}),
      },
      ...(c.raw !== undefined
        ? { payload: c.raw }
        : c.payload !== undefined
          ? { payload: (typeof c.payload === 'function' ? c.payload() : c.payload) as object }
          : {}),
    });
    expect(res.statusCode, res.body).toBe(c.status);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const body = ErrorBody.parse(res.json());
    expect(body.error.code).toBe(c.code);
    const after = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM consultations');
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
  });

  it('refresh tokens rotate once; reuse revokes the session', async () => {
    const username = `rot-${driver}`;
    await t.db.transaction((tx) =>
      t.services.auth.createAccount(tx, {
        username,
        password: 'pw-rotation',
        name: 'R',
        role: 'gp',
        organisation: 'O',
      }),
    );
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username, password: 'pw-rotation' },
    });
    const first = login.json<{ refreshToken: string; accessToken: string }>();
    const r1 = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    expect(r1.statusCode).toBe(200);
    const reuse = await t.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refreshToken: first.refreshToken },
    });
    expect(reuse.statusCode).toBe(401);
    // The whole session is gone, including the access token issued at login.
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/auth/me',
      headers: { authorization: `Bearer ${first.accessToken}` },
    });
    expect(me.statusCode).toBe(401);
  });

  it('logout revokes the access token', async () => {
    const other = await staffLogin(t, 'gp');
    const h = { authorization: `Bearer ${other.accessToken}` };
    expect(
      (await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: h })).statusCode,
    ).toBe(200);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: h })).statusCode,
    ).toBe(200);
    const after = await t.app.inject({ method: 'GET', url: '/api/auth/me', headers: h });
    expect(after.statusCode).toBe(401);
    expect(after.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });
});

function tamper(token: string): string {
  const [h, p, s] = token.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
  claims.role = 'specialist';
  claims.asr = 'high';
  return [h, Buffer.from(JSON.stringify(claims)).toString('base64url'), s].join('.');
}

function expired(token: string): string {
  const claims = jwt.decode(token) as Record<string, unknown>;
  const { exp: _exp, iat: _iat, ...rest } = claims;
  return jwt.sign(
    { ...rest, iat: Math.floor(Date.now() / 1000) - 3600, exp: Math.floor(Date.now() / 1000) - 60 },
    SECRET,
  );
}
