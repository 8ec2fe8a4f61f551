import { loadConfig } from '../../server/src/config.js';
import type { SocketAuthenticator } from '../../server/src/signalling/authenticator.js';
import type { AgendaSource } from '../../server/src/session/agenda/agenda-source.js';
import { startSamkons, type Samkons } from '../../server/src/samkons.js';
import { TEST_METRICS_TOKEN } from './health.js';

/** A node started by a test; `domain` is set with `{ domain: true }`. */
export type TestServer = Samkons;

export interface TestServerOptions {
  env?: Record<string, string>;
  authenticator?: SocketAuthenticator;
  domain?: boolean;
  /** Where live sessions read agendas (default: the server's own). */
  agendas?: AgendaSource;
}

/**
 * Starts the real server in this process (real mediasoup worker) on a free HTTP port and
 * a random RTC port, through the same composition as server/src/main.ts. `env` overrides
 * the configuration.
 *
 * Without `domain`: development rooms only (any room by name, consent never blocks).
 * With `domain: true`: PGlite in memory (or DATABASE_URL), session tokens first (dev rooms
 * only if SIGNALLING_DEV_ROOMS=true), consent gate, audit and attendance journal.
 */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'warn',
    MEDIASOUP_NUM_WORKERS: '1',
    MEDIASOUP_RTC_PORT: '0',
    MEDIASOUP_LISTEN_IP: '127.0.0.1',
    PGLITE_DATA_DIR: 'memory://',
    CLIENT_DIST: '/nonexistent',
    JWT_SECRET: 'test-secret-that-is-long-enough-0123456789',
    DEMO_DATA: 'false',
    LOGIN_RATE_LIMIT_PER_MINUTE: '10000',
    METRICS_TOKEN: TEST_METRICS_TOKEN,
    // In-process tests expect an emptied session to close at once unless they ask for a grace.
    SESSION_EMPTY_GRACE_SECONDS: '0',
    ...opts.env,
  });
  return startSamkons(config, {
    withDomain: opts.domain ?? false,
    ...(opts.authenticator ? { authenticator: opts.authenticator } : {}),
    ...(opts.agendas ? { agendas: opts.agendas } : {}),
  });
}
