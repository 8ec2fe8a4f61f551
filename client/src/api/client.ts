import type { z } from 'zod';
import { ApiError, errorFromResponse } from './errors';

export interface Tokens {
  accessToken: string;
  /** Absent for invite sessions, which cannot be refreshed. */
  refreshToken?: string | undefined;
}

/** Where the client keeps its tokens; the session context provides one backed by storage. */
export interface TokenStore {
  get(): Tokens | null;
  set(tokens: Tokens | null): void;
}

export type Refresher = (refreshToken: string, fetchFn: typeof fetch) => Promise<Tokens>;

export interface ApiClientOptions {
  baseUrl?: string;
  fetch?: typeof fetch;
  tokens: TokenStore;
  /** Exchanges a refresh token for new tokens (POST /api/auth/refresh). */
  refresh?: Refresher;
  /** Called when the session cannot be renewed: the UI sends the user to login. */
  onSessionExpired?: () => void;
}

export interface RequestOptions<S extends z.ZodType | undefined> {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Parses the JSON answer; without it the call resolves to `undefined`. */
  schema?: S;
  /** Send the bearer token (default true). */
  auth?: boolean;
  signal?: AbortSignal;
  /** Override the token for this call (an invite session token). */
  token?: string;
}

type Result<S> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * A small typed fetch wrapper: base URL, JSON in and out, bearer token, one refresh and retry
 * on 401, and every failure mapped to an ApiError carrying the shared ErrorBody code.
 */
export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchFn: typeof fetch;
  private refreshing: Promise<Tokens> | null = null;

  constructor(private readonly opts: ApiClientOptions) {
    this.baseUrl = opts.baseUrl ?? '/api';
    // Bind: calling an unbound window.fetch throws "Illegal invocation".
    this.fetchFn = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  get<S extends z.ZodType | undefined = undefined>(path: string, o: RequestOptions<S> = {}) {
    return this.request('GET', path, o);
  }
  post<S extends z.ZodType | undefined = undefined>(path: string, o: RequestOptions<S> = {}) {
    return this.request('POST', path, o);
  }
  patch<S extends z.ZodType | undefined = undefined>(path: string, o: RequestOptions<S> = {}) {
    return this.request('PATCH', path, o);
  }
  delete<S extends z.ZodType | undefined = undefined>(path: string, o: RequestOptions<S> = {}) {
    return this.request('DELETE', path, o);
  }

  /** A raw authorised GET, e.g. for a file download. */
  async blob(path: string): Promise<Blob> {
    const res = await this.send('GET', path, {}, true);
    return res.blob();
  }

  async request<S extends z.ZodType | undefined>(
    method: string,
    path: string,
    o: RequestOptions<S>,
  ): Promise<Result<S>> {
    const res = await this.send(method, path, o, true);
    if (!o.schema) return undefined as Result<S>;
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      throw new ApiError('invalid_response', `Not JSON from ${method} ${path}`, res.status);
    }
    const parsed = o.schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        'invalid_response',
        `Unexpected answer from ${method} ${path}: ${parsed.error.issues[0]?.message ?? ''}`,
        res.status,
      );
    }
    return parsed.data as Result<S>;
  }

  private async send(
    method: string,
    path: string,
    o: RequestOptions<z.ZodType | undefined>,
    mayRefresh: boolean,
  ): Promise<Response> {
    const useAuth = o.auth ?? true;
    const token = o.token ?? (useAuth ? this.opts.tokens.get()?.accessToken : undefined);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (o.body !== undefined) headers['Content-Type'] = 'application/json';
    if (useAuth && token) headers.Authorization = `Bearer ${token}`;

    let res: Response;
    try {
      res = await this.fetchFn(this.url(path, o.query), {
        method,
        headers,
        body: o.body === undefined ? undefined : JSON.stringify(o.body),
        signal: o.signal,
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError('network_error', `${method} ${path}: ${String(err)}`, 0);
    }

    if (res.status === 401 && useAuth && !o.token && mayRefresh && (await this.tryRefresh())) {
      return this.send(method, path, o, false);
    }
    if (!res.ok) {
      if (res.status === 401 && useAuth && !o.token && this.opts.tokens.get()) {
        this.opts.tokens.set(null);
        this.opts.onSessionExpired?.();
      }
      throw errorFromResponse(res.status, await res.text().catch(() => ''));
    }
    return res;
  }

  /** One refresh at a time, shared by concurrent 401s. */
  private async tryRefresh(): Promise<boolean> {
    const refreshToken = this.opts.tokens.get()?.refreshToken;
    if (!refreshToken || !this.opts.refresh) return false;
    this.refreshing ??= this.opts.refresh(refreshToken, this.fetchFn).finally(() => {
      this.refreshing = null;
    });
    try {
      this.opts.tokens.set(await this.refreshing);
      return true;
    } catch {
      return false;
    }
  }

  private url(path: string, query?: RequestOptions<undefined>['query']): string {
    const qs = query
      ? Object.entries(query)
          .filter((e): e is [string, string | number] => e[1] !== undefined)
          .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
          .join('&')
      : '';
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }
}
