import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { buildApp } from './app.js';
import type { Database } from './db/database.js';
import { openDatabase } from './db/index.js';
import { createDomainServices, type DomainServices } from './booking/services.js';
import { createReports, type ReportsService } from './reports/index.js';
import { surveyAuthenticator } from './reports/survey-auth.js';
import { seedDemoData } from './demo/seed.js';
import { WorkerPool } from './sfu/worker-pool.js';
import { RoomRegistry } from './sfu/room-registry.js';
import { attachSignalling, type Signalling } from './signalling/server.js';
import {
  devRoomAuthenticator,
  firstOf,
  type SocketAuthenticator,
} from './signalling/authenticator.js';
import { tokenAuthenticator } from './signalling/token-authenticator.js';
import { LiveSessions } from './session/live-sessions.js';
import { domainConsentGate, openConsentGate } from './session/consent-gate.js';
import { databaseJournal, nullJournal } from './session/session-journal.js';
import { domainAgendas, type AgendaSource } from './session/agenda/agenda-source.js';
import { databasePartJournal } from './session/agenda/part-journal.js';
import { LivePlan, participantPrincipalOf } from './session/plan/live-plan.js';
import { databaseSessionMemory } from './session/session-memory.js';
import { resolveSigningSecret } from './auth/signing-secret.js';
import { turnCredentials } from './turn/credentials.js';
import type { Cluster } from './cluster/index.js';
import { nodeUrl } from './cluster/node-url.js';
import { ReminderScheduler } from './notifications/reminders.js';
import { sendSurveyMessages } from './notifications/after-session.js';
import { IdleSessionCloser } from './session/idle-close.js';
import { createLogger } from './logging.js';
import { Metrics } from './metrics/metrics.js';
import { startInternalListener } from './metrics/internal-listener.js';

export interface SamkonsOptions {
  /**
   * false: the SFU and signalling alone, no database: development rooms by name, consent
   * never blocks. Used by media-only tests; the product always runs with the domain.
   */
  withDomain?: boolean;
  /** Replaces the socket authenticator the configuration implies. */
  authenticator?: SocketAuthenticator;
  /** Replaces where live sessions read their consultation's agenda (tests). */
  agendas?: AgendaSource;
  /**
   * Runs once everything is started, just before the node listens: work that would
   * otherwise block the event loop while the first clients (re)connect.
   */
  beforeListen?: () => Promise<void>;
}

/** One running node: everything main.ts starts, with handles for tests and shutdown. */
export interface Samkons {
  /** Where this node listens, e.g. http://127.0.0.1:3000. */
  url: string;
  config: Config;
  app: FastifyInstance;
  workers: WorkerPool;
  rooms: RoomRegistry;
  sessions: LiveSessions;
  signalling: Signalling;
  domain?: { db: Database; services: DomainServices; reports: ReportsService };
  /** With REDIS_URL: this node's Redis side (event relay, session directory, adapter). */
  cluster?: Cluster;
  /** The Prometheus registry behind /metrics. */
  metrics: Metrics;
  /** METRICS_PORT: the internal listener's URL (/metrics, /api/health/detail). */
  metricsUrl?: string;
  /** With the domain: sends due reminders on a timer (every node; claims keep it once). */
  reminders?: ReminderScheduler;
  /** With the domain: closes consultations left in progress with nobody present. */
  idleClose?: IdleSessionCloser;
  demoDataSeeded: boolean;
  /** True from `drain` on: /api/health answers 503, so load balancers stop sending here. */
  readonly draining: boolean;
  /**
   * SIGTERM: no new sessions here, clients are told, open sessions go on until they have
   * all closed or `timeoutMs` passed; then `close`. Idempotent.
   */
  drain(timeoutMs: number): Promise<void>;
  /**
   * Idempotent; releases cluster claims before the database and workers go. What the live
   * sessions remember (admissions, mute, hands) stays for the next start.
   */
  close(): Promise<void>;
}

/** The composition: config -> db -> domain -> media workers -> http -> cluster -> signalling. */
export async function startSamkons(config: Config, options: SamkonsOptions = {}): Promise<Samkons> {
  const withDomain = options.withDomain ?? true;
  const log = await createLogger(config);
  let domain: Samkons['domain'];
  let demoDataSeeded = false;
  if (withDomain) {
    const db = await openDatabase(config);
    // Tokens and invite links already sent must survive a restart (signing-secret.ts).
    const jwtSecret = await resolveSigningSecret(config, db);
    const services = createDomainServices({ ...config, auth: { ...config.auth, jwtSecret } }, db);
    demoDataSeeded = config.demoData && (await seedDemoData(db, services));
    const reports = await createReports(db, config.reports);
    // The demo specialist sees the evaluation dashboard.
    await reports.grantReportingByUsername([
      ...config.reports.reportingUsernames,
      ...(config.demoData ? ['spesialist'] : []),
    ]);
    domain = { db, services, reports };
  }

  const mediaLog = log.child({ module: 'media' });
  // Before the workers: the metrics' census watches them being made.
  const metrics = new Metrics();
  const workers = await WorkerPool.create(config.media, mediaLog);
  const rooms = new RoomRegistry(workers, mediaLog);
  metrics.attach({ workers, rooms, db: domain?.db });
  let draining = false;
  const app = await buildApp({
    config,
    log,
    media: rooms,
    metrics,
    isDraining: () => draining,
    ...(domain
      ? {
          domain: domain.services,
          reports: {
            reports: domain.reports,
            authenticate: (h: string | undefined) => domain.services.auth.authenticate(h),
            authenticateSurvey: surveyAuthenticator(
              domain.services.auth,
              domain.db,
              domain.services.patientPortal,
            ),
          },
        }
      : {}),
  });

  // Several nodes: domain events, session ownership and socket.io go through Redis.
  // Imported only then: the Redis client and adapter are about 4 MB of an idle node's heap.
  const cluster = config.redis
    ? await (
        await import('./cluster/index.js')
      ).startCluster({
        ...config.redis,
        ...(domain ? { events: domain.services.events } : {}),
        publicUrl: () => nodeUrl(config, app.server),
        log: app.log,
      })
    : undefined;
  const sessions = new LiveSessions({
    rooms,
    emptyGraceSeconds: config.sessionEmptyGraceSeconds,
    gate: domain ? domainConsentGate({ auth: domain.services.auth }) : openConsentGate,
    journal: domain
      ? databaseJournal({
          db: domain.db,
          reports: domain.reports,
          log: app.log,
          onCompleted: (id) => sendSurveyMessages(domain.db, domain.services.booking.notifier, id),
        })
      : nullJournal,
    ...(domain ? { memory: databaseSessionMemory({ db: domain.db, log: app.log }) } : {}),
    log: app.log,
    metrics,
    ...(cluster ? { directory: cluster.directory } : {}),
    ...(options.agendas
      ? { agendas: options.agendas }
      : domain
        ? { agendas: domainAgendas(domain.services.lkt.agenda) }
        : {}),
    ...(domain ? { partJournal: databasePartJournal({ db: domain.db, log: app.log }) } : {}),
    ...(domain
      ? {
          plan: {
            store: domain.services.lkt.plan,
            live: new LivePlan({
              store: domain.services.lkt.plan,
              principalOf: participantPrincipalOf(domain.services.auth),
            }),
          },
        }
      : {}),
  });
  if (domain) sessions.subscribe(domain.services.events);

  // Session tokens first; development rooms only when explicitly enabled.
  const authenticator =
    options.authenticator ??
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
    metrics,
    ...(cluster ? { adapter: cluster.adapter } : {}),
    allowedOrigins: config.signalling.allowedOrigins,
    iceServersFor: (principal) => {
      const turn = config.media.turn;
      return turn ? turnCredentials(turn, principal.grants.participantId).iceServers : [];
    },
  });

  const reminders = domain
    ? new ReminderScheduler({
        db: domain.db,
        notifier: domain.services.booking.notifier,
        ...config.reminders,
        log: app.log,
      })
    : undefined;

  const idleClose = domain
    ? new IdleSessionCloser({
        db: domain.db,
        idleMinutes: config.sessionIdleCloseMinutes,
        isOpenHere: (id) => sessions.isOpen(id),
        reports: domain.reports,
        memory: sessions.memory,
        log: app.log,
      })
    : undefined;

  await options.beforeListen?.();
  await app.listen({ host: config.http.host, port: config.http.port });
  const internal = config.metrics.internal
    ? await startInternalListener({ ...config.metrics.internal, metrics, media: rooms, log })
    : undefined;
  reminders?.start();
  idleClose?.start();
  const { port } = app.server.address() as AddressInfo;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;

  let closing: Promise<void> | undefined;
  let drained: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      // Before the database closes: waits for a reminder run in progress.
      await reminders?.stop();
      await idleClose?.stop();
      // The connections close next: the sessions keep what they remember for the restart.
      sessions.suspend();
      signalling.close();
      await sessions.journal.settled();
      await sessions.partJournal.settled();
      await sessions.memory.settled();
      sessions.close();
      // Claims released first, so another node can host these consultations at once.
      await cluster?.close();
      rooms.close();
      await app.close();
      await internal?.close();
      workers.close();
      metrics.close();
      await domain?.db.close();
    })();
    return closing;
  };
  return {
    url: `http://${host}:${port}`,
    config,
    app,
    workers,
    rooms,
    sessions,
    signalling,
    metrics,
    ...(internal ? { metricsUrl: internal.url } : {}),
    ...(domain ? { domain } : {}),
    ...(cluster ? { cluster } : {}),
    ...(reminders ? { reminders } : {}),
    ...(idleClose ? { idleClose } : {}),
    demoDataSeeded,
    get draining() {
      return draining;
    },
    drain(timeoutMs) {
      drained ??= (async () => {
        draining = true;
        const deadline = Date.now() + timeoutMs;
        sessions.drain();
        signalling.drain(new Date(deadline));
        app.log.info({ timeoutMs, sessions: sessions.openCount }, 'draining');
        while (sessions.openCount > 0 && Date.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, Math.min(250, deadline - Date.now())));
        }
        await close();
      })();
      return drained;
    },
    close,
  };
}
