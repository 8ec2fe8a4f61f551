import { Redis } from 'ioredis';
import type { FastifyBaseLogger } from 'fastify';

/**
 * A connected Redis client. Connection errors are logged (an unhandled 'error' event would
 * crash the process); ioredis reconnects on its own.
 */
export async function connectRedis(
  url: string,
  name: string,
  log: FastifyBaseLogger,
): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, connectionName: name });
  client.on('error', (err: unknown) => log.warn({ err, connection: name }, 'redis error'));
  await client.connect();
  return client;
}

/** Closes politely; a connection that is already gone is simply dropped. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
