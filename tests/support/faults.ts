import type { Browser, BrowserContext, Page } from 'playwright-core';
import { admitFromLobby, bookCall, callJoined, openCall, type BookedCall } from './call.js';
import { allRemotesRising, mediaStats, remoteVideosDecoding } from './journey.js';
import { pageScript } from './page-script.js';

/*
 * What fault tests (worker crash, UDP blocked, outage, server restart) watch on a page: the
 * call state as the page shows it over time, and the moment media flows again.
 */

/** One change of what the call page shows: its `data-state`, or the waiting room. */
export interface StateChange {
  /** Date.now() on the page (same machine as the test). */
  at: number;
  state: string;
  /** The quality badges shown on remote tiles then (`good`, `ok`, `poor`, ...). */
  badges: string[];
  /** One's own line badge (`data-line` of the call header's line; '' when none shows). */
  line: string;
}

/**
 * Records every change of the call page's state (`data-state` of the room
 * page, or `waiting-screen` while the waiting room shows), of the tiles' quality badges and
 * of one's own line badge, with the time, in `window.__callTimeline`.
 */
function recordCallTimeline(): void {
  const w = window as unknown as { __callTimeline?: StateChange[] };
  const timeline: StateChange[] = (w.__callTimeline = []);
  let last = '';
  const check = () => {
    const waiting = document.querySelector('[data-testid="waiting-screen"]');
    const room = document.querySelector('[data-testid="room-page"]');
    const state = waiting ? 'waiting-screen' : (room?.getAttribute('data-state') ?? 'none');
    const badges = Array.from(document.querySelectorAll('[data-testid="quality"]')).map(
      (b) => /badge--q-(\w+)/.exec(b.className)?.[1] ?? (b.textContent ?? '').trim(),
    );
    const line = document.querySelector('[data-testid="line-self"]')?.getAttribute('data-line');
    const key = `${state}|${badges.join(',')}|${line ?? ''}`;
    if (key === last) return;
    last = key;
    timeline.push({ at: Date.now(), state, badges, line: line ?? '' });
  };
  const start = () => {
    check();
    new MutationObserver(check).observe(document.documentElement, {
      subtree: true,
      childList: true,
      attributes: true,
      attributeFilter: ['data-state', 'class', 'data-line'],
    });
  };
  if (document.documentElement) start();
  else document.addEventListener('DOMContentLoaded', start, { once: true });
}

/** `recordCallTimeline` as an init script, or to start on a page already open. */
export const callTimelineScript = pageScript(recordCallTimeline);

export const callTimeline = (page: Page): Promise<StateChange[]> =>
  page.evaluate(
    () => (window as unknown as { __callTimeline?: StateChange[] }).__callTimeline ?? [],
  );

/**
 * Waits until `remotes` remote videos decode and every remote's frames and audio rise
 * between two polls; resolves with Date.now() of the poll that saw it (the time media was
 * back, to within `intervalMs`). `afterStall`: after a fault, first wait for a poll where
 * some remote's audio did not rise (the fault has hit), so packets still in flight when it
 * struck do not count as media back.
 */
export async function mediaFlowingAt(
  page: Page,
  remotes: number,
  opts: { timeout?: number; intervalMs?: number; afterStall?: boolean } = {},
): Promise<number> {
  const timeout = opts.timeout ?? 30_000;
  const intervalMs = opts.intervalMs ?? 200;
  const deadline = Date.now() + timeout;
  let stalled = !opts.afterStall;
  let before = await mediaStats(page);
  for (;;) {
    await page.waitForTimeout(intervalMs);
    const now = await mediaStats(page);
    const rising = now.length === remotes && allRemotesRising(before, now);
    if (stalled && rising) {
      // The tiles show it too (a track on every video element, decoding).
      await remoteVideosDecoding(page, remotes, Math.max(1000, deadline - Date.now()));
      const at = Date.now();
      // Its first packets fired `unmute` before the decode the check above waited for; a
      // second more for a page too busy to have run the event's task yet.
      for (let tries = 0; !(await firstMediaSeen(page)); tries++) {
        if (tries === 10) {
          throw new Error('media flows, but the page’s media session did not see it arrive');
        }
        await page.waitForTimeout(100);
      }
      return at;
    }
    if (!stalled) {
      stalled = !now.every((s) => {
        const b = before.find((x) => x.peerId === s.peerId);
        return b !== undefined && s.audioPacketsReceived > b.audioPacketsReceived;
      });
    }
    before = now;
    if (Date.now() > deadline) {
      throw new Error(
        `media not ${stalled ? 'back' : 'stopped'} from ${remotes} remotes within ${timeout} ms: ` +
          JSON.stringify(now),
      );
    }
  }
}

/**
 * Whether the page's media session saw the media of its current set-up arrive (its first
 * packets: the join path's round-trip figure is read then). A rejoin after a fault sets the
 * media up anew, and the page publishes its own camera once the first video has come: a
 * stream whose first packets the session did not hear (they came while it was being set up,
 * on a busy machine) left that to a fallback timer. In a CI run the figure was still unset
 * with every remote video decoding.
 */
function firstMediaSeen(page: Page): Promise<boolean> {
  return page.evaluate(
    () =>
      (window as unknown as { __samkonsMedia?: { roundTripsToFirstMedia?: number } }).__samkonsMedia
        ?.roundTripsToFirstMedia !== undefined,
  );
}

/**
 * Waits until some remote's audio stops arriving on `page` (no new packet between two polls
 * `intervalMs` apart); resolves with Date.now() of that poll.
 */
export async function mediaStoppedAt(
  page: Page,
  opts: { timeout?: number; intervalMs?: number } = {},
): Promise<number> {
  const deadline = Date.now() + (opts.timeout ?? 10_000);
  let before = await mediaStats(page);
  for (;;) {
    await page.waitForTimeout(opts.intervalMs ?? 200);
    const now = await mediaStats(page);
    const stopped = now.some((s) => {
      const b = before.find((x) => x.peerId === s.peerId);
      return b !== undefined && s.audioPacketsReceived <= b.audioPacketsReceived;
    });
    if (stopped) return Date.now();
    if (Date.now() > deadline) throw new Error(`media still flows: ${JSON.stringify(now)}`);
    before = now;
  }
}

/** Every page has media from `remotes` others; resolves with each page's time it was back. */
export function mediaFlowingOnEveryPage(
  pages: Page[],
  remotes: number,
  opts: { timeout?: number; afterStall?: boolean } = {},
): Promise<number[]> {
  return Promise.all(pages.map((p) => mediaFlowingAt(p, remotes, opts)));
}

/** Counts the page's console messages that match `pattern` from now on. */
export function countConsole(page: Page, pattern: RegExp): () => number {
  let n = 0;
  page.on('console', (m) => {
    if (pattern.test(m.text())) n++;
  });
  return () => n;
}

/** The states the page showed from `since` on (the one in force at `since` included). */
export function statesSince(timeline: StateChange[], since: number): StateChange[] {
  const before = timeline.filter((c) => c.at <= since).at(-1);
  return [...(before ? [before] : []), ...timeline.filter((c) => c.at > since)];
}

/** Fails with the page's timeline when it ever showed the waiting room since `since`. */
export async function expectNeverWaitingSince(page: Page, since: number, who: string) {
  // Vitest only when asserting: bench/faults.ts (plain tsx) imports this module too.
  const { expect } = await import('vitest');
  const states = statesSince(await callTimeline(page), since);
  expect(
    states.filter((s) => s.state === 'waiting-screen' || s.state === 'lobby'),
    `${who} showed the waiting room after the fault: ${JSON.stringify(states)}`,
  ).toEqual([]);
}

/**
 * A booked consultation in `browser`: the host goes straight in, the patient and the next
 * of kin wait and are let in through the waiting room (the host's People panel). Every page
 * records its call timeline; resolves once media flows on all three.
 */
export interface JoinedCall {
  /** Host, patient, relative. */
  pages: Page[];
  contexts: BrowserContext[];
  call: BookedCall;
}

export async function joinBookedCall(
  browser: Browser,
  url: string,
  title: string,
): Promise<JoinedCall> {
  const call = await bookCall(url, {
    title,
    hoursAhead: 2,
    invitees: [
      {
        role: 'patient',
        name: BOOKED.patient,
        birthDate: '1940-01-01',
        joinsFrom: 'home',
        travelDistanceKm: 90,
      },
      { role: 'next_of_kin', name: BOOKED.relative, joinsFrom: 'home', travelDistanceKm: 90 },
    ],
  });
  const opened: { context: BrowserContext; page: Page }[] = [];
  try {
    opened.push(await openCall(browser, url, call.host));
    const host = opened[0]!.page;
    await callJoined(host);
    for (const name of [BOOKED.patient, BOOKED.relative]) {
      const o = await openCall(browser, url, call.invitees[name]!);
      opened.push(o);
      await o.page.getByTestId('waiting-screen').waitFor({ timeout: 30_000 });
      await admitFromLobby(host, name);
      await callJoined(o.page);
    }
    // The recorder is an init script for later loads; start it on the open pages now.
    for (const o of opened) await o.context.addInitScript(callTimelineScript);
    await Promise.all(opened.map((o) => o.page.evaluate(callTimelineScript)));
    await mediaFlowingOnEveryPage(
      opened.map((o) => o.page),
      2,
      { timeout: 60_000 },
    );
  } catch (err) {
    // A bench goes on to its next run in the same browser: leave no call playing in it.
    await Promise.all(opened.map((o) => o.context.close()));
    throw err;
  }
  const pages = opened.map((o) => o.page);
  return { pages, contexts: opened.map((o) => o.context), call };
}

/**
 * `joinBookedCall`, then `use` the call; its pages are closed afterwards whether `use`
 * passed or threw, so a failed run leaves no call playing in the browser the next one uses.
 */
export async function withBookedCall<T>(
  browser: Browser,
  url: string,
  title: string,
  use: (joined: JoinedCall) => Promise<T>,
): Promise<T> {
  const joined = await joinBookedCall(browser, url, title);
  try {
    return await use(joined);
  } finally {
    await Promise.all(joined.contexts.map((c) => c.close()));
  }
}

export const BOOKED = { patient: 'Per Pasient', relative: 'Dagny Dotter' } as const;
