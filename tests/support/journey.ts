import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ParticipantStats } from '../../client/src/media/session.js';

/** Small camera for multi-party e2e runs on two cores (honoured by test builds only). */
export const CALL_VIDEO_CONSTRAINTS = {
  width: { ideal: 320 },
  height: { ideal: 240 },
  frameRate: { ideal: 15 },
};

/** What `window.__samkonsMedia` reports per remote participant (test builds only). */
export type MediaStat = ParticipantStats;

export const mediaStats = (page: Page): Promise<MediaStat[]> =>
  page.evaluate(() => {
    const hook = (
      window as unknown as { __samkonsMedia?: { participantStats(): Promise<MediaStat[]> } }
    ).__samkonsMedia;
    if (!hook) throw new Error('test hook missing: build with VITE_SAMKONS_TEST_HOOKS=true');
    return hook.participantStats();
  });

/**
 * Every remote in `now` was there `before` and has since decoded more video frames and
 * received more audio packets: their media keeps flowing.
 */
export const allRemotesRising = (before: MediaStat[], now: MediaStat[]): boolean =>
  now.every((s) => {
    const b = before.find((x) => x.peerId === s.peerId);
    return (
      b !== undefined &&
      s.framesDecoded > b.framesDecoded &&
      s.audioPacketsReceived > b.audioPacketsReceived
    );
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
  await page
    .waitForFunction(
      (n) => {
        const videos = Array.from(
          document.querySelectorAll('[data-testid="remote-participant"] video'),
        ) as HTMLVideoElement[];
        return videos.length === n && videos.every((v) => v.videoWidth > 0);
      },
      count,
      { timeout },
    )
    .catch(async (err: unknown) => {
      // Say whose picture is missing on which page, not only that the wait timed out.
      const tiles = await page
        .evaluate(() =>
          Array.from(document.querySelectorAll('[data-testid="remote-participant"]')).map((t) => {
            const v = t.querySelector('video');
            const name = t.querySelector('.tile__name')?.textContent ?? '?';
            return `${name}: ${v ? `${v.videoWidth}x${v.videoHeight}` : 'no video'}`;
          }),
        )
        .catch(() => ['(page gone)']);
      const state = await page
        .getByTestId('room-page')
        .getAttribute('data-state', { timeout: 1000 })
        .catch(() => null);
      throw new Error(
        `${count} remote videos were not all decoding on ${page.url()} (call state ${state}): ${tiles.join('; ')}`,
        { cause: err },
      );
    });
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

/**
 * Init script for a participant's page: records, on the page's own clock, when "join" was
 * clicked and when the first remote video frame was decoded (checked every animation frame).
 */
export function recordJoinTiming(joinLabel: string): void {
  const w = window as unknown as { __joinClickAt?: number; __firstRemoteFrameAt?: number };
  document.addEventListener(
    'click',
    (e) => {
      const button = (e.target as Element | null)?.closest('button');
      if (button?.textContent?.trim() === joinLabel) w.__joinClickAt ??= performance.now();
    },
    true,
  );
  const check = () => {
    const videos = document.querySelectorAll('[data-testid="remote-participant"] video');
    if (Array.from(videos).some((v) => (v as HTMLVideoElement).videoWidth > 0)) {
      w.__firstRemoteFrameAt = performance.now();
      return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}

/** Join (or admission) to first remote frame on the page's clock, once both happened. */
export async function joinToFirstFrameMs(
  page: Page,
): Promise<{ via: 'direct' | 'lobby'; ms: number }> {
  await waitForFirstRemoteFrame(page);
  return page.evaluate(() => {
    const w = window as unknown as {
      __joinClickAt?: number;
      __firstRemoteFrameAt?: number;
      __samkonsLive?: { admittedAt?: number; waitedInLobby?: boolean };
    };
    const clicked = w.__joinClickAt ?? 0;
    const admitted = w.__samkonsLive?.admittedAt ?? clicked;
    const via: 'direct' | 'lobby' = w.__samkonsLive?.waitedInLobby ? 'lobby' : 'direct';
    const t0 = via === 'lobby' ? admitted : clicked;
    return { via, ms: Math.round((w.__firstRemoteFrameAt ?? performance.now()) - t0) };
  });
}

/**
 * A JSON API call the way the client makes it (POST when there is a body, a bearer token
 * when given); throws on non-2xx.
 */
export async function apiCall<T>(
  baseUrl: string,
  path: string,
  token: string | null,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${baseUrl}/api${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token === null ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

/** The demo specialist's access token (DEMO_DATA=true), logged in through the API. */
export async function demoSpecialistToken(baseUrl: string): Promise<string> {
  const login = await apiCall<{ accessToken: string }>(baseUrl, '/auth/login', null, {
    username: 'spesialist',
    password: 'demo-spesialist',
  });
  return login.accessToken;
}

/** The demo staff accounts (DEMO_DATA=true) booked by account in tests, by role. */
const DEMO_STAFF = { gp: 'fastlege', municipal: 'sjukepleiar' } as const;

/**
 * A demo staff member (the GP `fastlege` or the nurse `sjukepleiar`) logged in through the
 * API: their access token and account id, to book them by account. Staff booked by account
 * join by their own login and go straight in; a staff member holding only a link waits.
 */
export async function demoStaffLogin(
  baseUrl: string,
  role: keyof typeof DEMO_STAFF,
): Promise<{ accessToken: string; accountId: string }> {
  const username = DEMO_STAFF[role];
  const login = await apiCall<{ accessToken: string; account: { id: string } }>(
    baseUrl,
    '/auth/login',
    null,
    { username, password: `demo-${username}` },
  );
  return { accessToken: login.accessToken, accountId: login.account.id };
}

/**
 * The demo specialist logs in on the login page; resolves, once "Mine konsultasjonar" shows,
 * with the access token the client keeps.
 */
export function loginAsDemoSpecialist(page: Page, baseUrl: string): Promise<string> {
  return loginAsDemoStaff(page, baseUrl, 'spesialist');
}

/**
 * A demo staff member (`spesialist`, `fastlege`, `sjukepleiar`; password `demo-<name>`) logs
 * in through the login form and sees "Mine konsultasjonar"; returns their access token.
 */
export async function loginAsDemoStaff(
  page: Page,
  baseUrl: string,
  username: 'spesialist' | 'fastlege' | 'sjukepleiar',
): Promise<string> {
  await page.goto(`${baseUrl}/login`);
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(`demo-${username}`);
  await page.locator('#login-password').press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Mine konsultasjonar' }).waitFor();
  return page.evaluate(
    () =>
      (JSON.parse(sessionStorage.getItem('samkons.session') ?? '{}') as { accessToken: string })
        .accessToken,
  );
}

/** The URLs of the page's requests to `pathname`, collected as they are made. */
export function requestsTo(page: Page, pathname: string): string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === pathname) seen.push(r.url());
  });
  return seen;
}

/**
 * A participant's own browser context: small call video (five on two cores) and, when
 * `joinLabel` is given, the join-to-first-frame timing of its pages.
 */
export async function participantContext(
  browser: Browser,
  opts: { viewport: { width: number; height: number }; joinLabel?: string },
): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: opts.viewport });
  await context.addInitScript((video) => {
    (window as unknown as { __samkonsVideoConstraints: unknown }).__samkonsVideoConstraints = video;
  }, CALL_VIDEO_CONSTRAINTS);
  if (opts.joinLabel) await context.addInitScript(recordJoinTiming, opts.joinLabel);
  return context;
}
