import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { MediaHealth } from '../sfu/room-registry.js';
import type { Metrics } from './metrics.js';
import { registerOperatorRoutes } from './routes.js';
import { installErrorHandler } from '../http/error-handler.js';

/**
 * A second HTTP listener for Prometheus and operators only (METRICS_HOST:METRICS_PORT,
 * 127.0.0.1 by default): /metrics and /api/health/detail without a token, because only
 * the monitoring network reaches this address.
 */
export async function startInternalListener(opts: {
  host: string;
  port: number;
  metrics: Metrics;
  media: { health(): Promise<MediaHealth> };
  log: FastifyBaseLogger;
}): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify({ loggerInstance: opts.log.child({ module: 'metrics-listener' }) });
  installErrorHandler(app);
  await registerOperatorRoutes(app, { metrics: opts.metrics, media: opts.media });
  await app.listen({ host: opts.host, port: opts.port });
  const { address, port, family } = app.server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address === '0.0.0.0' ? '127.0.0.1' : address;
  return { url: `http://${host}:${port}`, close: () => app.close() };
}
