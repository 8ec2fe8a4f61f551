import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../server/src/config.js';
import { buildApp } from '../../server/src/app.js';
import { WorkerPool } from '../../server/src/sfu/worker-pool.js';
import { RoomRegistry } from '../../server/src/sfu/room-registry.js';
import { attachSignalling, type Signalling } from '../../server/src/signalling/server.js';
import {
  devRoomAuthenticator,
  firstOf,
  type SocketAuthenticator,
} from '../../server/src/signalling/authenticator.js';
import { tokenAuthenticator } from '../../server/src/signalling/token-authenticator.js';
import type { Database } from '../../server/src/db/database.js';
import { openDatabase } from '../../server/src/db/index.js';
import { createDomainServices, type DomainServices } from '../../server/src/booking/services.js';
import { createReports, type ReportsService } from '../../server/src/reports/index.js';
import { LiveSessions } from '../../server/src/session/live-sessions.js';
import { domainConsentGate, openConsentGate } from '../../server/src/session/consent-gate.js';
import { databaseJournal, nullJournal } from '../../server/src/session/session-journal.js';
import { nodeUrl, startCluster, type Cluster } from '../../server/src/cluster/index.js';

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  config: Config;
  app: FastifyInstance;
  workers: WorkerPool;
  rooms: RoomRegistry;
  sessions: LiveSessions;
  signalling: Signalling;
  /** With `{ domain: true }`: PGlite in memory, booking/consent/audit, reports. */
  domain?: { db: Database; services: DomainServices; reports: ReportsService };
  /** With REDIS_URL in `env`: the node's Redis side, as main.ts composes it. */
  cluster?: Cluster;
  close(): Promise<void>;
}

/**
 * Starts the real server in this process (real mediasoup worker) on a free HTTP port and
 * a random RTC port, like server/src/main.ts does. `env` overrides the configuration.
 *
 * Without `domain`: development rooms only (any room by name, consent never blocks).
 * With `domain: true`: the composition of main.ts — session tokens first (dev rooms only if
 * SIGNALLING_DEV_ROOMS=true), consent gate, audit and attendance journal, domain events.
 */
export async function startTestServer(
  opts: {
    env?: Record<string, string>;
    authenticator?: SocketAuthenticator;
    domain?: boolean;
  } = {},
): Promise<TestServer> {
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
    ...opts.env,
  });
  const log = pino({ level: config.logLevel });
  const workers = await WorkerPool.create(config.media, log);
  const rooms = new RoomRegistry(workers, log);

  let domain: TestServer['domain'];
  if (opts.domain) {
    const db = await openDatabase(config);
    const services = createDomainServices(config, db, { loginRateLimitPerMinute: 10_000 });
    const reports = await createReports(db, config.reports);
    domain = { db, services, reports };
  }
  const app = await buildApp({
    config,
    media: rooms,
    ...(domain
      ? {
          domain: domain.services,
          reports: {
            reports: domain.reports,
            authenticate: (h: string | undefined) => domain.services.auth.authenticate(h),
          },
        }
      : {}),
  });
  const cluster = config.redis
    ? await startCluster({
        ...config.redis,
        ...(domain ? { events: domain.services.events } : {}),
        publicUrl: () => nodeUrl(config, app.server),
        log: app.log,
      })
    : undefined;
  const sessions = new LiveSessions({
    ...(cluster ? { directory: cluster.directory } : {}),
    rooms,
    gate: domain
      ? domainConsentGate({ auth: domain.services.auth, db: domain.db })
      : openConsentGate,
    journal: domain
      ? databaseJournal({ db: domain.db, reports: domain.reports, log: app.log })
      : nullJournal,
    log: app.log,
  });
  if (domain) sessions.subscribe(domain.services.events);
  const authenticator =
    opts.authenticator ??
    (domain
      ? firstOf(
          tokenAuthenticator((token) => domain.services.auth.verifySessionToken(token)),
          ...(config.signalling.devRooms ? [devRoomAuthenticator] : []),
        )
      : devRoomAuthenticator);
  const signalling = attachSignalling({
    httpServer: app.server,
    registry: rooms,
    sessions,
    authenticator,
    log: app.log,
    ...(cluster ? { adapter: cluster.adapter } : {}),
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  const { port } = app.server.address() as AddressInfo;
  let closed = false;
  return {
    url: `http://127.0.0.1:${port}`,
    config,
    app,
    workers,
    rooms,
    sessions,
    signalling,
    ...(domain ? { domain } : {}),
    ...(cluster ? { cluster } : {}),
    async close() {
      if (closed) return;
      closed = true;
      signalling.close();
      await sessions.journal.settled();
      sessions.close();
      await cluster?.close();
      rooms.close();
      await app.close();
      workers.close();
      await domain?.db.close();
    },
  };
}
