import { mkdir, rm } from 'node:fs/promises';
import { afterAll, beforeAll } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchChromium } from './browser.js';
import { buildClient } from './client-build.js';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { speechWavFile } from './speech-wav.js';

/** A built client served by the real server process, and a Chromium to open it in. */
export interface BrowserStage {
  server: ServerProcess;
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Sets the stage for a browser test: builds the client (test hooks on), starts
 * server/src/main.ts serving it with `env`, launches Chromium and empties `artefacts`.
 * `cameraFps`: the fake cameras' frame rate, for a test of what five people's pages show,
 * not of the pictures themselves. Five Chromium pages each sending three layers at 20 fps
 * and decoding four keep a 2-core machine saturated, so every step of such a test waits
 * (a bounding box read took 0.36 s on average in the layouts test).
 * `speech`: the fake microphones speak (`speechWavFile`) instead of beeping, for a test of
 * who the SFU takes for the speaker: Chromium's brief beeps are never taken for speech by
 * mediasoup's active speaker observer (after Jitsi's), so whoever joined first stays the
 * speaker for good.
 */
export async function startBrowserStage(opts: {
  env?: Record<string, string>;
  artefacts: string;
  cameraFps?: number;
  speech?: boolean;
}): Promise<BrowserStage> {
  const clientDist = await buildClient();
  const server = await startServerProcess({ CLIENT_DIST: clientDist, ...opts.env });
  const browser = await launchChromium(
    opts.speech ? [`--use-file-for-fake-audio-capture=${await speechWavFile()}`] : [],
    opts.cameraFps === undefined ? {} : { cameraFps: opts.cameraFps },
  );
  await rm(opts.artefacts, { recursive: true, force: true });
  await mkdir(opts.artefacts, { recursive: true });
  return {
    server,
    browser,
    async close() {
      await browser.close();
      await server.close();
      await rm(clientDist, { recursive: true, force: true });
    },
  };
}

/**
 * The stage of one test file, started before its tests and closed after them. Read
 * `server` and `browser` inside tests (they exist once the file's beforeAll has run).
 */
export function browserStageForFile(opts: Parameters<typeof startBrowserStage>[0]): {
  readonly server: ServerProcess;
  readonly browser: Browser;
} {
  let stage: BrowserStage | undefined;
  beforeAll(async () => {
    stage = await startBrowserStage(opts);
  });
  afterAll(async () => {
    await stage?.close();
  });
  const started = (): BrowserStage => {
    if (!stage) throw new Error('the browser stage starts in beforeAll: use it inside tests');
    return stage;
  };
  return {
    get server() {
      return started().server;
    },
    get browser() {
      return started().browser;
    },
  };
}
