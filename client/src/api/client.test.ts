import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { ApiClient, type Tokens, type TokenStore } from './client';
import { ApiError, codeForStatus, errorFromResponse, errorMessageKey } from './errors';

function memoryStore(initial: Tokens | null): TokenStore & { value: Tokens | null } {
  const store = {
    value: initial,
    get: () => store.value,
    set: (t: Tokens | null) => {
      store.value = t;
    },
  };
  return store;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

type Call = { url: string; init: RequestInit };

function fakeFetch(...responses: (Response | Error)[]) {
  const calls: Call[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error('no more fake responses');
    if (next instanceof Error) throw next;
    return next;
  });
  return { fn: fn as unknown as typeof fetch, calls };
}

const header = (c: Call | undefined, name: string) =>
  (c?.init.headers as Record<string, string> | undefined)?.[name];

describe('ApiClient', () => {
  const Thing = z.object({ id: z.string() });

  it('sends the bearer token and parses with the schema', async () => {
    const { fn, calls } = fakeFetch(json(200, { id: 'a', extra: 1 }));
    const api = new ApiClient({ fetch: fn, tokens: memoryStore({ accessToken: 'T1' }) });
    await expect(api.get('/things/a', { schema: Thing, query: { x: 'å b' } })).resolves.toEqual({
      id: 'a',
    });
    expect(calls[0]?.url).toBe('/api/things/a?x=%C3%A5%20b');
    expect(header(calls[0], 'Authorization')).toBe('Bearer T1');
  });

  it('maps a shared ErrorBody to an ApiError with code, message and details', async () => {
    const body = {
      error: {
        code: 'bad_request',
        message: 'Request validation failed',
        details: [{ path: 'body/participants/0/email', message: 'Invalid email' }],
      },
    };
    const { fn } = fakeFetch(json(400, body));
    const api = new ApiClient({ fetch: fn, tokens: memoryStore(null) });
    const err = await api.post('/x', { body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'bad_request', status: 400, details: body.error.details });
  });

  it('maps a 409 conflict', async () => {
    const { fn } = fakeFetch(json(409, { error: { code: 'conflict', message: 'double booked' } }));
    const api = new ApiClient({ fetch: fn, tokens: memoryStore({ accessToken: 'T' }) });
    await expect(api.post('/consultations', { body: {} })).rejects.toMatchObject({
      code: 'conflict',
      message: 'double booked',
    });
  });

  it('maps a non-JSON error page by status', async () => {
    const { fn } = fakeFetch(new Response('<html>Bad gateway</html>', { status: 502 }));
    const api = new ApiClient({ fetch: fn, tokens: memoryStore(null) });
    await expect(api.get('/x')).rejects.toMatchObject({ code: 'internal', status: 502 });
  });

  it('maps a failed fetch to network_error', async () => {
    const { fn } = fakeFetch(new TypeError('Failed to fetch'));
    const api = new ApiClient({ fetch: fn, tokens: memoryStore(null) });
    await expect(api.get('/x')).rejects.toMatchObject({ code: 'network_error', status: 0 });
  });

  it('maps an answer the schema rejects to invalid_response', async () => {
    const { fn } = fakeFetch(json(200, { id: 42 }));
    const api = new ApiClient({ fetch: fn, tokens: memoryStore(null) });
    await expect(api.get('/x', { schema: Thing })).rejects.toMatchObject({
      code: 'invalid_response',
    });
  });

  it('refreshes once on 401 and retries with the new token', async () => {
    const { fn, calls } = fakeFetch(
      json(401, { error: { code: 'unauthenticated', message: 'expired' } }),
      json(200, { id: 'b' }),
    );
    const tokens = memoryStore({ accessToken: 'old', refreshToken: 'R' });
    const refresh = vi.fn(async (_token: string) => ({ accessToken: 'new', refreshToken: 'R2' }));
    const api = new ApiClient({ fetch: fn, tokens, refresh });
    await expect(api.get('/x', { schema: Thing })).resolves.toEqual({ id: 'b' });
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(refresh.mock.calls[0]?.[0]).toBe('R');
    expect(header(calls[1], 'Authorization')).toBe('Bearer new');
    expect(tokens.value).toEqual({ accessToken: 'new', refreshToken: 'R2' });
  });

  it('does not retry twice and ends the session when the retry is also 401', async () => {
    const unauth = () => json(401, { error: { code: 'unauthenticated', message: 'no' } });
    const { fn, calls } = fakeFetch(unauth(), unauth());
    const tokens = memoryStore({ accessToken: 'old', refreshToken: 'R' });
    const onSessionExpired = vi.fn();
    const refresh = vi.fn(async () => ({ accessToken: 'new', refreshToken: 'R2' }));
    const api = new ApiClient({ fetch: fn, tokens, refresh, onSessionExpired });
    await expect(api.get('/x')).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(calls).toHaveLength(2);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(tokens.value).toBeNull();
    expect(onSessionExpired).toHaveBeenCalledTimes(1);
  });

  it('shares one refresh between concurrent 401s', async () => {
    const unauth = () => json(401, { error: { code: 'unauthenticated', message: 'no' } });
    const { fn } = fakeFetch(unauth(), unauth(), json(200, { id: '1' }), json(200, { id: '2' }));
    const tokens = memoryStore({ accessToken: 'old', refreshToken: 'R' });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const refresh = vi.fn(async () => {
      await gate;
      return { accessToken: 'new', refreshToken: 'R2' };
    });
    const api = new ApiClient({ fetch: fn, tokens, refresh });
    const both = Promise.all([api.get('/a', { schema: Thing }), api.get('/b', { schema: Thing })]);
    await new Promise((r) => setTimeout(r, 0));
    release();
    await expect(both).resolves.toHaveLength(2);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('does not refresh a call made without auth (login)', async () => {
    const { fn } = fakeFetch(json(401, { error: { code: 'unauthenticated', message: 'wrong' } }));
    const refresh = vi.fn();
    const api = new ApiClient({ fetch: fn, tokens: memoryStore(null), refresh });
    await expect(api.post('/auth/login', { body: {}, auth: false })).rejects.toMatchObject({
      code: 'unauthenticated',
    });
    expect(refresh).not.toHaveBeenCalled();
  });
});

describe('error helpers', () => {
  it('derives codes from statuses', () => {
    expect(codeForStatus(404)).toBe('not_found');
    expect(codeForStatus(409)).toBe('conflict');
    expect(codeForStatus(418)).toBe('bad_request');
    // A 503 (draining, a media worker being replaced) means: try again shortly.
    expect(codeForStatus(503)).toBe('unavailable');
    expect(codeForStatus(502)).toBe('internal');
  });
  it('ignores a body that is not the shared ErrorBody', () => {
    expect(errorFromResponse(403, '{"error":"nope"}')).toMatchObject({ code: 'forbidden' });
  });
  it('names an i18n key for any error', () => {
    expect(errorMessageKey(new ApiError('conflict', 'x', 409))).toBe('errors.conflict');
    expect(errorMessageKey(new Error('boom'))).toBe('errors.internal');
  });
});
