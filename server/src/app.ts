import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import {
  jsonSchemaTransform,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import type { MediaHealth } from './sfu/room-registry.js';
import { installErrorHandler } from './http/error-handler.js';
import { installInputGuard } from './http/input-guard.js';
import { registerClientFiles } from './http/client-files.js';
import { domainRoutes } from './booking/routes.js';
import type { DomainServices } from './booking/services.js';
import { registerReports, type ReportsRoutesOptions } from './reports/routes.js';
import { registerIceServerRoutes } from './turn/routes.js';
import { registerShortLinks } from './notifications/short-links.js';
import { lktRoutes } from './lkt/index.js';
import type { Metrics } from './metrics/metrics.js';
import { registerOperatorRoutes } from './metrics/routes.js';
import { contentSecurityPolicy } from './http/content-security-policy.js';

export interface AppDeps {
  config: Config;
  /** The node's logger (server/src/logging.ts); JSON at the configured level when absent. */
  log?: FastifyBaseLogger;
  /** Identity, booking, consent and audit (server/src/booking/services.ts). */
  domain?: DomainServices;
  /** The SFU's rooms and workers, for /api/health/detail (behind the metrics protection). */
  media?: { health(): Promise<MediaHealth> };
  /** /metrics and /api/health/detail are served here only with METRICS_TOKEN set. */
  metrics?: Metrics;
  /** SIGTERM received: /api/health answers 503 `draining`. */
  isDraining?: () => boolean;
  /** Evaluation reports and experience survey (server/src/reports). */
  reports?: ReportsRoutesOptions;
}

/** Builds the HTTP application without listening, so tests can use `app.inject()`. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.log ?? pino({ level: config.log.level }),
    bodyLimit: 256 * 1024,
    // Client addresses are audited and rate-limited: X-Forwarded-For counts only when it
    // comes from a configured proxy (TRUST_PROXY), never from anyone.
    trustProxy: config.http.trustProxy,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);
  installInputGuard(app);

  await app.register(helmet, { contentSecurityPolicy: contentSecurityPolicy(config) });
  await app.register(swagger, {
    openapi: {
      info: { title: 'samkons API', version: '0.1.0' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  });
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  if (deps.domain) {
    const { auth } = deps.domain;
    await app.register(domainRoutes(deps.domain));
    await app.register(
      lktRoutes(
        deps.domain.lkt,
        (req) => auth.authenticate(req.headers.authorization),
        deps.domain.patientPortal,
      ),
    );
    await registerShortLinks(app, { db: deps.domain.db, auth });
    await registerIceServerRoutes(app, {
      turn: config.media.turn,
      authenticate: (authorization) => auth.authenticate(authorization),
    });
  }

  // Public liveness only: worker pids, rooms and peers are for operators (below).
  app.get('/api/health', async (_request, reply) => {
    // Draining (SIGTERM): still alive, but load balancers should send new users elsewhere.
    if (deps.isDraining?.()) return reply.code(503).send({ status: 'draining' as const });
    return { status: 'ok' as const };
  });
  if (deps.metrics && config.metrics.token) {
    await registerOperatorRoutes(app, {
      metrics: deps.metrics,
      media: deps.media,
      token: config.metrics.token,
    });
  }

  if (deps.reports) await registerReports(app, deps.reports);

  // The built client, when there is one; client routes (/room/...) get index.html.
  await registerClientFiles(app, config.clientDist);

  return app;
}
