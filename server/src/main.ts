import { pino } from 'pino';
import { loadConfig } from './config.js';
import { buildApp } from './app.js';
import { openDatabase } from './db/index.js';
import { createDomainServices, publicUrlOf } from './booking/services.js';
import { createReports } from './reports/index.js';
import { demoLoginHelp, seedDemoData } from './demo/seed.js';
import { WorkerPool } from './sfu/worker-pool.js';
import { RoomRegistry } from './sfu/room-registry.js';
import { attachSignalling } from './signalling/server.js';
import { devRoomAuthenticator, firstOf } from './signalling/authenticator.js';
import { tokenAuthenticator } from './signalling/token-authenticator.js';
import { LiveSessions } from './session/live-sessions.js';
import { domainConsentGate } from './session/consent-gate.js';
import { databaseJournal } from './session/session-journal.js';
import { nodeUrl, startCluster } from './cluster/index.js';

/** Composition root: config -> db -> media workers -> http -> signalling. */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config);
  const domain = createDomainServices(config, db);
  const seeded = config.demoData && (await seedDemoData(db, domain));
  const reports = await createReports(db, config.reports);
  // The demo specialist sees the evaluation dashboard.
  await reports.grantReportingByUsername([
    ...config.reports.reportingUsernames,
    ...(config.demoData ? ['spesialist'] : []),
  ]);
  const mediaLog = pino({ level: config.logLevel }).child({ module: 'media' });
  const workers = await WorkerPool.create(config.media, mediaLog);
  const rooms = new RoomRegistry(workers, mediaLog);
  const app = await buildApp({
    config,
    media: rooms,
    domain,
    reports: { reports, authenticate: (h) => domain.auth.authenticate(h) },
  });
  // Session tokens first; development rooms only when explicitly enabled.
  const authenticator = firstOf(
    tokenAuthenticator((token) => domain.auth.verifySessionToken(token)),
    ...(config.signalling.devRooms ? [devRoomAuthenticator] : []),
  );
  // Several nodes: domain events, session ownership and socket.io go through Redis.
  const cluster = config.redis
    ? await startCluster({
        ...config.redis,
        events: domain.events,
        publicUrl: () => nodeUrl(config, app.server),
        log: app.log,
      })
    : undefined;
  const sessions = new LiveSessions({
    rooms,
    gate: domainConsentGate({ auth: domain.auth, db }),
    journal: databaseJournal({ db, reports, log: app.log }),
    log: app.log,
    ...(cluster ? { directory: cluster.directory } : {}),
  });
  sessions.subscribe(domain.events);
  const signalling = attachSignalling({
    httpServer: app.server,
    registry: rooms,
    sessions,
    authenticator,
    log: app.log,
    ...(cluster ? { adapter: cluster.adapter } : {}),
  });
  await app.listen({ host: config.http.host, port: config.http.port });
  app.log.info({ driver: db.driver, demoDataSeeded: seeded }, 'database ready');
  if (config.demoData) console.log(demoLoginHelp(publicUrlOf(config)));

  const shutdown = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    signalling.close();
    await sessions.journal.settled();
    sessions.close();
    // Claims released before exit, so another node can host these consultations at once.
    await cluster?.close();
    rooms.close();
    await app.close();
    await db.close();
    workers.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
