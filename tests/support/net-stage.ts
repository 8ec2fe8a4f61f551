import { mkdir, rm } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium } from './browser.js';
import { buildClient } from './client-build.js';
import { openNetLab, type NetLab, type NetLink } from './netlab.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** One call across the network rig: a browser behind a shaped link and one outside it. */
export interface NetStage {
  lab: NetLab;
  /** The shaped link the `inside` browser sits behind. */
  link: NetLink;
  /** The real server process on the rig's address, development rooms on. */
  server: ServerProcess;
  /** Chromium on the host's own network. */
  outside: Browser;
  /** Chromium inside the link's namespace. */
  inside: Browser;
}

/**
 * Sets up a NetStage before a describe block's tests and tears it down after them (fresh
 * artefacts folder, the test client, the server on the rig). Call inside the describe; an
 * `afterAll` the file registers after this call runs before the teardown (vitest runs after
 * hooks as a stack), so it can still read the pages and the server's log.
 */
export function useNetStage(opts: { artefacts: string; linkName: string }): () => NetStage {
  let stage: NetStage | undefined;
  const parts: Partial<NetStage> = {};
  let clientDist: string | undefined;

  // Building the client and starting the server take minutes on a loaded 2-core machine.
  beforeAll(async () => {
    await rm(opts.artefacts, { recursive: true, force: true });
    await mkdir(opts.artefacts, { recursive: true });
    parts.lab = await openNetLab();
    parts.link = await parts.lab.addLink(opts.linkName);
    clientDist = await buildClient();
    parts.server = await startServerProcess({
      ...parts.lab.serverEnv(parts.link),
      CLIENT_DIST: clientDist,
      SIGNALLING_DEV_ROOMS: 'true',
    });
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
    if (clientDist) await rm(clientDist, { recursive: true, force: true });
  });

  return () => {
    if (!stage) throw new Error('the network stage has not started');
    return stage;
  };
}
