import path from 'node:path';
import type { Page } from 'playwright-core';

/** Small camera for multi-party e2e runs on two cores (honoured by test builds only). */
export const CALL_VIDEO_CONSTRAINTS = {
  width: { ideal: 320 },
  height: { ideal: 240 },
  frameRate: { ideal: 15 },
};

/** What `window.__samkonsMedia` offers (client/src/media/session.ts, test builds only). */
export interface MediaStat {
  peerId: string;
  displayName: string;
  framesDecoded: number;
  frameWidth: number;
  audioPacketsReceived: number;
}

export const mediaStats = (page: Page): Promise<MediaStat[]> =>
  page.evaluate(() => {
    const hook = (
      window as unknown as { __samkonsMedia?: { participantStats(): Promise<MediaStat[]> } }
    ).__samkonsMedia;
    if (!hook) throw new Error('test hook missing: build with VITE_SAMKONS_TEST_HOOKS=true');
    return hook.participantStats();
  });

/** Resolves once any remote tile's video has a decoded frame (polled every animation frame). */
export async function waitForFirstRemoteFrame(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(
    () =>
      Array.from(document.querySelectorAll('[data-testid="remote-participant"] video')).some(
        (v) => (v as HTMLVideoElement).videoWidth > 0,
      ),
    null,
    { timeout },
  );
}

/** Resolves once exactly `count` remote tiles show decoded video. */
export async function remoteVideosDecoding(
  page: Page,
  count: number,
  timeout = 30_000,
): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const videos = Array.from(
        document.querySelectorAll('[data-testid="remote-participant"] video'),
      ) as HTMLVideoElement[];
      return videos.length === n && videos.every((v) => v.videoWidth > 0);
    },
    count,
    { timeout },
  );
}

/** Numbered screenshots in one folder; `paths` lists what was written. */
export function screenshotter(dir: string) {
  const paths: string[] = [];
  const shot = async (page: Page, name: string) => {
    const file = path.join(dir, `${name}.png`);
    await page.screenshot({ path: file });
    paths.push(file);
  };
  return Object.assign(shot, { paths });
}
