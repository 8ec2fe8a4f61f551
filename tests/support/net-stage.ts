import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { buildClient } from './client-build.js';
import { openNetLab, type NetLab, type NetLink } from './netlab.js';
import {
  freePort,
  killAndRestart,
  startServerProcess,
  type ServerProcess,
} from './server-process.js';

/** One call across the network rig: a browser behind a shaped link and one outside it. */
export interface NetStage {
  lab: NetLab;
  /** The shaped link the `inside` browser sits behind. */
  link: NetLink;
  /** The real server process on the rig's address, development rooms on (the current one after a restart). */
  server: ServerProcess;
  /** The environment the server runs with (the same after a restart). */
  env: Record<string, string>;
  /** Chromium on the host's own network. */
  outside: Browser;
  /** Chromium inside the link's namespace. */
  inside: Browser;
  /**
   * Only with `restartable`: SIGKILLs the server, runs `whileDown` once it has exited, and
   * starts it again on the same environment (ports and data folder). Resolves with the new
   * process, which `server` is from then on.
   */
  restart(whileDown?: () => Promise<void>): Promise<ServerProcess>;
}

export interface NetStageOptions {
  artefacts: string;
  linkName: string;
  /** Server environment over the stage's own (the rig's addresses, the client, dev rooms). */
  env?: Record<string, string>;
  /**
   * The server can be restarted (`NetStage.restart`): it listens on fixed ports, the media
   * port (`env.MEDIASOUP_RTC_PORT`) included, and keeps its database (PGlite) in a folder
   * of its own, removed at teardown.
   */
  restartable?: boolean;
}

/**
 * Sets up a NetStage before a describe block's tests and tears it down after them (fresh
 * artefacts folder, the test client, the server on the rig). Call inside the describe; an
 * `afterAll` the file registers after this call runs before the teardown (vitest runs after
 * hooks as a stack), so it can still read the pages and the server's log.
 */
export function useNetStage(opts: NetStageOptions): () => NetStage {
  let stage: NetStage | undefined;
  const parts: Partial<NetStage> = {};
  let clientDist: string | undefined;
  let dataDir: string | undefined;

  // Building the client and starting the server take minutes on a loaded 2-core machine.
  beforeAll(async () => {
    await rm(opts.artefacts, { recursive: true, force: true });
    await mkdir(opts.artefacts, { recursive: true });
    parts.lab = await openNetLab();
    parts.link = await parts.lab.addLink(opts.linkName);
    clientDist = await buildClient();
    const fixed: Record<string, string> = {};
    if (opts.restartable) {
      dataDir = await mkdtemp(path.join(tmpdir(), 'samkons-net-stage-'));
      // The restart comes back on the same ports (a test may block the media port).
      fixed.PORT = String(await freePort());
      fixed.MEDIASOUP_RTC_PORT = String(await freePort());
      fixed.PGLITE_DATA_DIR = dataDir;
    }
    const env = {
      ...parts.lab.serverEnv(parts.link),
      CLIENT_DIST: clientDist,
      SIGNALLING_DEV_ROOMS: 'true',
      ...fixed,
      ...opts.env,
    };
    parts.env = env;
    parts.server = await startServerProcess(env);
    parts.restart = async (whileDown) => {
      if (!opts.restartable) throw new Error('useNetStage: restart() needs `restartable: true`');
      parts.server = await killAndRestart(parts.server!, env, whileDown);
      return parts.server;
    };
    // The origin stays the same across restarts (fixed port).
    const url = parts.server.url;
    parts.outside = await launchChromium([`--unsafely-treat-insecure-origin-as-secure=${url}`]);
    parts.inside = await parts.link.launchChromium({ origins: [url] });
    stage = parts as NetStage;
  }, 300_000);

  afterAll(async () => {
    await parts.inside?.close();
    await parts.outside?.close();
    await parts.server?.close();
    await parts.lab?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    if (clientDist) await rm(clientDist, { recursive: true, force: true });
  });

  return () => {
    if (!stage) throw new Error('the network stage has not started');
    return stage;
  };
}
