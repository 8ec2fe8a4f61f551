import { afterAll, afterEach, beforeAll } from 'vitest';
import { startTestServer, type TestServer, type TestServerOptions } from './server.js';
import { socketPool } from './signalling-client.js';

/**
 * One real server with the domain (real mediasoup worker, PGlite) for a test file: started
 * before its tests, the sockets a test opened closed after it, stopped after the file.
 * Call at the top level of the file.
 */
export function useLiveServer(opts: Omit<TestServerOptions, 'domain'> = {}) {
  let current: TestServer | undefined;
  const server = (): TestServer => {
    if (!current) throw new Error('the test server has not started');
    return current;
  };
  const sockets = socketPool(() => server().url);

  // PGlite and the worker start slowly on a busy 2-core machine.
  beforeAll(async () => {
    current = await startTestServer({ ...opts, domain: true });
  }, 300_000);
  afterEach(() => sockets.closeAll());
  afterAll(async () => {
    await current?.close();
  });

  return {
    server,
    sockets,
    app: () => server().app,
    services: () => {
      const domain = server().domain;
      if (!domain) throw new Error('the test server has no domain');
      return domain.services;
    },
  };
}
