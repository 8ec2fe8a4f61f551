import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerOptions } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { DomainEventBus } from '../consent/events.js';
import { EventRelay } from './event-relay.js';
import { closeRedis, connectRedis } from './redis-connection.js';
import { RedisSessionDirectory } from './session-directory.js';

export { nodeUrl } from './node-url.js';

/** What several nodes share through Redis (REDIS_URL set); absent on a single node. */
export interface Cluster {
  readonly directory: RedisSessionDirectory;
  /** For attachSignalling: socket.io rooms and broadcasts across nodes. */
  readonly adapter: NonNullable<ServerOptions['adapter']>;
  close(): Promise<void>;
}

export async function startCluster(opts: {
  url: string;
  keyPrefix: string;
  /** Relayed when given (the domain runs on this node). */
  events?: DomainEventBus;
  publicUrl: () => string;
  log: FastifyBaseLogger;
  claimTtlMs?: number;
}): Promise<Cluster> {
  const log = opts.log.child({ module: 'cluster' });
  const nodeId = randomUUID();
  // Subscribed connections accept no other commands, hence one each for relay and adapter.
  const [command, eventsSub, adapterSub] = await Promise.all([
    connectRedis(opts.url, 'samkons-command', log),
    connectRedis(opts.url, 'samkons-events', log),
    connectRedis(opts.url, 'samkons-socketio', log),
  ]);
  const relay = opts.events
    ? new EventRelay({
        bus: opts.events,
        publisher: command,
        subscriber: eventsSub,
        channel: `${opts.keyPrefix}events`,
        nodeId,
        log,
      })
    : undefined;
  await relay?.start();
  const directory = new RedisSessionDirectory({
    redis: command,
    keyPrefix: opts.keyPrefix,
    nodeId,
    url: opts.publicUrl,
    ...(opts.claimTtlMs ? { ttlMs: opts.claimTtlMs } : {}),
    log,
  });
  const adapter = createAdapter(command, adapterSub, { key: `${opts.keyPrefix}socket.io` });
  log.info({ nodeId }, 'cluster mode: domain events, sessions and socket.io through Redis');
  let closed = false;
  return {
    directory,
    adapter,
    async close() {
      if (closed) return;
      closed = true;
      await relay?.close();
      await directory.close();
      await Promise.all([command, eventsSub, adapterSub].map(closeRedis));
    },
  };
}
