import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DomainError } from '../http/domain-error.js';
import type { MediaHealth } from '../sfu/room-registry.js';
import type { Metrics } from './metrics.js';

export interface OperatorRoutesOptions {
  metrics: Metrics;
  /** Worker pids, rooms and peers: for operators, not for the public /api/health. */
  media?: { health(): Promise<MediaHealth> } | undefined;
  /** Bearer token every request must carry; none on the internal listener. */
  token?: string | undefined;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time (digests of equal length), so the token cannot be timed out. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer (.+)$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

/**
 * The operators' view: `/metrics` (Prometheus) and `/api/health/detail` (workers, rooms,
 * peers). Registered on the public app behind METRICS_TOKEN, or without a token on the
 * internal listener (METRICS_HOST/METRICS_PORT) that only the monitoring network reaches.
 */
export async function registerOperatorRoutes(
  app: FastifyInstance,
  opts: OperatorRoutesOptions,
): Promise<void> {
  await app.register(async (scope) => {
    const { token } = opts;
    if (token) {
      scope.addHook('onRequest', async (request) => {
        if (!bearerMatches(request.headers.authorization, token)) {
          throw new DomainError('unauthenticated', 'A valid metrics token is required');
        }
      });
    }
    scope.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const text = await opts.metrics.scrape();
      return reply.type(opts.metrics.contentType).send(text);
    });
    scope.get('/api/health/detail', { schema: { hide: true } }, async () => ({
      status: 'ok' as const,
      ...(opts.media ? await opts.media.health() : {}),
    }));
  });
}
