import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const FAKE_DEVICES = '--use-fake-device-for-media-stream';

/** Flags for headless Chromium as root on a closed network, with fake camera and microphone. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--use-fake-ui-for-media-stream',
  FAKE_DEVICES,
  '--autoplay-policy=no-user-gesture-required',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-gpu',
];

/**
 * Launches the Debian Chromium (install it with `bash infra/setup.sh --test`). `niceness`
 * starts it, and every process it forks, at that lower CPU priority (`nice`): browsers that
 * stand in for other people's devices, so that on this one machine they do not take the CPU
 * from the browser being measured. `cameraFps` sets the fake camera's frame rate (Chromium's
 * is 20): see `startBrowserStage`.
 */
export async function launchChromium(
  extraArgs: string[] = [],
  opts: { niceness?: number; cameraFps?: number } = {},
): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`${CHROMIUM_PATH} is missing: run \`apt-get install -y chromium\``);
  }
  const executablePath =
    opts.niceness === undefined ? CHROMIUM_PATH : await niceLauncher(opts.niceness);
  const args = CHROMIUM_ARGS.map((arg) =>
    arg === FAKE_DEVICES && opts.cameraFps !== undefined ? `${arg}=fps=${opts.cameraFps}` : arg,
  );
  return chromium.launch({ executablePath, args: [...args, ...extraArgs] });
}

/** A script that execs Chromium under `nice` (Playwright launches an executable path). */
async function niceLauncher(niceness: number): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'samkons-nice-'));
  const script = path.join(dir, 'chromium');
  await writeFile(script, `#!/bin/sh\nexec nice -n ${niceness} ${CHROMIUM_PATH} "$@"\n`, {
    mode: 0o755,
  });
  return script;
}
