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
  type SocketAuthenticator,
} from '../../server/src/signalling/authenticator.js';

export interface TestServer {
  /** http://127.0.0.1:PORT */
  url: string;
  config: Config;
  app: FastifyInstance;
  workers: WorkerPool;
  rooms: RoomRegistry;
  signalling: Signalling;
  close(): Promise<void>;
}

/**
 * Starts the real server in this process (real mediasoup worker) on a free HTTP port and
 * a random RTC port, like server/src/main.ts does. `env` overrides the configuration.
 */
export async function startTestServer(
  opts: { env?: Record<string, string>; authenticator?: SocketAuthenticator } = {},
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
    ...opts.env,
  });
  const log = pino({ level: config.logLevel });
  const workers = await WorkerPool.create(config.media, log);
  const rooms = new RoomRegistry(workers, log);
  const app = await buildApp({ config, media: rooms });
  const signalling = attachSignalling({
    httpServer: app.server,
    registry: rooms,
    authenticator: opts.authenticator ?? devRoomAuthenticator,
    log: app.log,
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
    signalling,
    async close() {
      if (closed) return;
      closed = true;
      signalling.close();
      rooms.close();
      await app.close();
      workers.close();
    },
  };
}
