import { writeFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { callJoined, iceRoutes } from '../support/call.js';
import {
  callTimeline,
  mediaFlowingOnEveryPage,
  mediaStoppedAt,
  callTimelineScript,
  statesSince,
  type StateChange,
} from '../support/faults.js';
import { netLabAvailable } from '../support/netlab.js';
import { useNetStage } from '../support/net-stage.js';
import {
  between,
  markStats,
  readStats,
  saveStats,
  statsSamplerScript,
  type StatsSeries,
} from '../support/stats-sampler.js';

/**
 * Issue 9 "Done when", on the network-fault rig (tests/support/netlab.ts): the patient's
 * Chromium runs in a namespace of its own, the specialist's outside, the real server and
 * worker on the veth address.
 *
 * - UDP blocked at the call's first frames, and again mid-call: media is back both ways
 *   within 5 s, over the WebRtcServer's TCP candidates (the silent path is noticed from its
 *   traffic and ICE restarted), and no page calls the line good while media is stopped.
 * - The link cut for 10 s: media is back within 3 s of the link returning, nobody acting
 *   (the signalling socket outlives the cut, and ICE resumes on its own path).
 *
 * The times are printed and kept with the getStats series, the call timelines and the
 * browsers' logs in test-results/transport-recovery/ (bench/faults.ts measures them
 * repeatedly).
 */

const rig = netLabAvailable();
if (!rig.ok) console.warn(`transport recovery e2e not run: ${rig.reason}`);

const ARTEFACTS = 'test-results/transport-recovery';
const ROOM = 'e2e-transport-recovery';
/** The quality indicator shows a stall within 2 s (issue 9); before that it may lag. */
const STALL_SHOWN_MS = 2000;
/**
 * Media is back by the poll that saw it (`mediaFlowingAt`, polls 200 ms apart and a decode
 * check); a badge rates the last second, so in the second before that poll it may rightly
 * rate media that already arrives.
 */
const BACK_SEEN_MS = 1000;

describe.runIf(rig.ok)('transport recovery on a faulty link', () => {
  const stage = useNetStage({ artefacts: ARTEFACTS, linkName: 'patient' });
  let host: Page;
  let patient: Page;
  const browserLog: string[] = [];
  /** When the test saw media flow on both pages for the first time. */
  let firstMediaAt = 0;

  beforeAll(async () => {
    const { server, outside, inside } = stage();
    const open = async (browser: Browser, name: string) => {
      const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
      await context.addInitScript(statsSamplerScript(500));
      await context.addInitScript(callTimelineScript);
      const page = await context.newPage();
      page.on('console', (m) => browserLog.push(`${Date.now()} ${name}: ${m.text()}`));
      await page.goto(`${server.url}/room/${ROOM}?name=${encodeURIComponent(name)}`);
      return page;
    };
    [host, patient] = await Promise.all([
      open(outside, 'Spesialist Sol'),
      open(inside, 'Pasient Pål'),
    ]);
    await Promise.all([callJoined(host, 60_000), callJoined(patient, 60_000)]);
    await mediaFlowingOnEveryPage([host, patient], 1, { timeout: 60_000 });
    firstMediaAt = Date.now();
  }, 300_000);

  afterAll(async () => {
    for (const [name, page] of [
      ['host', host],
      ['patient', patient],
    ] as const) {
      if (!page) continue;
      await saveStats(`${ARTEFACTS}/${name}-stats.json`, await readStats(page));
      await saveStats(`${ARTEFACTS}/${name}-timeline.json`, await callTimeline(page));
    }
    await writeFile(`${ARTEFACTS}/browsers.log`, `${browserLog.join('\n')}\n`);
    await writeFile(`${ARTEFACTS}/server.log`, stage().server.output());
  });

  // A failed test leaves the link as it found it for the next.
  afterEach(() => stage().link.restore());

  const mark = (label: string) => Promise.all([host, patient].map((p) => markStats(p, label)));

  /**
   * What the page showed as "good" between `from` and `to`: the call state in the call
   * with one's own line good (`ownLine`), or a remote tile's badge good.
   */
  async function shownGood(page: Page, from: number, to: number, ownLine: boolean) {
    return statesSince(await callTimeline(page), from)
      .filter((c) => c.at < to)
      .filter(
        (c: StateChange) =>
          c.state === 'in-call' && ((ownLine && c.line === 'good') || c.badges.includes('good')),
      );
  }

  /**
   * From `from` on, both pages decode frames and play sound from the other: inbound video
   * frames and audio energy rise over the samples of the getStats series after `from`.
   */
  async function expectMediaBothWays(from: number) {
    for (const page of [host, patient]) {
      await expect
        .poll(async () => flowSince(await readStats(page), from), { timeout: 5000 })
        .toEqual({ frames: true, audioEnergy: true });
    }
  }

  /**
   * UDP to the media port blocked: media is back both ways over TCP within issue 9's 5 s,
   * and no page called the line good while it was stopped. Then UDP returns and the call
   * goes on.
   */
  async function udpBlockedHeals(when: string) {
    await mark(`udp blocked (${when})`);
    const blockedAt = Date.now();
    await stage().link.block({ protocol: 'udp' });
    const back = await mediaFlowingOnEveryPage([host, patient], 1, { afterStall: true });
    const [hostMs, patientMs] = back.map((t) => t - blockedAt);
    await mark('media back');
    const routes = await iceRoutes(patient);
    const states = statesSince(await callTimeline(patient), blockedAt);
    console.log(
      `UDP blocked ${when}: media back after ${hostMs} ms (host), ${patientMs} ms (patient); ` +
        `patient route ${routes.send?.protocol}/${routes.recv?.protocol}; states ` +
        states.map((s) => `${s.state}/${s.line || '-'}@${s.at - blockedAt}`).join(' '),
    );
    expect(routes.send?.protocol).toBe('tcp');
    expect(routes.recv?.protocol).toBe('tcp');
    await expectMediaBothWays(Math.max(...back));
    // Issue 9's bound. The silence check (transport-liveness.ts) calls the stall within about
    // 2 s of the last packet however late its samples come, and on each transport's own path.
    expect(Math.max(hostMs!, patientMs!)).toBeLessThan(5000);
    // While media was stopped no page called the line good: not the patient's own line,
    // nor a tile on either page.
    const stopped = (i: number) => [blockedAt + STALL_SHOWN_MS, back[i]! - BACK_SEEN_MS] as const;
    expect(await shownGood(patient, ...stopped(1), true)).toEqual([]);
    expect(await shownGood(host, ...stopped(0), false)).toEqual([]);
    expect(states.at(-1)?.state).toBe('in-call');

    // UDP returns: the call goes on (over whichever path ICE keeps).
    await mark('udp restored');
    const restoredAt = Date.now();
    await stage().link.restore();
    await mediaFlowingOnEveryPage([host, patient], 1);
    await expectMediaBothWays(restoredAt + 2000);
    const after = await iceRoutes(patient);
    console.log(`UDP restored: patient route ${after.send?.protocol}/${after.recv?.protocol}`);
  }

  it('carries the call over TCP when UDP is blocked at its first frames', async () => {
    // The path connects and the SFU resumes the streams at once, so the transports' first
    // reads may hold media already; blocked before a second read, a silence check that
    // judged only bytes seen rising never called the stall (two fresh-clone CI runs: ICE
    // called the path disconnected 5.5 s later, media back after 7.7 and 8.9 s).
    console.log(`blocked ${Date.now() - firstMediaAt} ms after media first flowed on both pages`);
    await udpBlockedHeals('at the first frames');
  }, 60_000);

  it('carries the call over TCP when UDP is blocked mid-call', async () => {
    // Mid-call: some seconds into the call, on UDP again since the test before.
    const protocols = async () => {
      const r = await iceRoutes(patient);
      return [r.send?.protocol, r.recv?.protocol];
    };
    await expect.poll(protocols, { timeout: 20_000 }).toEqual(['udp', 'udp']);
    await udpBlockedHeals('mid-call');
  }, 60_000);

  it('comes back by itself soon after a 10 s outage ends', async () => {
    await mark('cut');
    const cutAt = Date.now();
    await stage().link.setOutage(true);
    // The cut has hit both pages: nothing arrives from the other.
    await Promise.all([host, patient].map((p) => mediaStoppedAt(p, { timeout: 5000 })));
    // The outage lasts 10 s by design: the wait is the fault, not a guess at an event.
    await patient.waitForTimeout(Math.max(0, cutAt + 10_000 - Date.now()));
    await stage().link.setOutage(false);
    const restoredAt = Date.now();
    await mark('link back');
    const back = await mediaFlowingOnEveryPage([host, patient], 1);
    const [hostMs, patientMs] = back.map((t) => t - restoredAt);
    const states = statesSince(await callTimeline(patient), cutAt);
    console.log(
      `10 s outage: media back ${hostMs} ms (host), ${patientMs} ms (patient) after the link ` +
        'returned; states ' +
        states.map((s) => `${s.state}/${s.line || '-'}@${s.at - cutAt}`).join(' '),
    );
    await expectMediaBothWays(Math.max(...back));
    expect(Math.max(hostMs!, patientMs!)).toBeLessThan(3000);
    const stopped = (i: number) =>
      [cutAt + STALL_SHOWN_MS, Math.max(restoredAt, back[i]! - BACK_SEEN_MS)] as const;
    expect(await shownGood(patient, ...stopped(1), true)).toEqual([]);
    expect(await shownGood(host, ...stopped(0), false)).toEqual([]);
    // Recovery ran while the link was down, and the call is back after.
    expect(states.map((s) => s.state)).toContain('reconnecting');
    expect(states.at(-1)?.state).toBe('in-call');
  }, 60_000);
});

/** Whether inbound video frames and audio energy rose over the samples taken after `from`. */
function flowSince(series: StatsSeries, from: number): { frames: boolean; audioEnergy: boolean } {
  const samples = between(series, from).samples;
  const total = (i: number, pick: (s: Record<string, number | undefined>) => number) =>
    (samples[i]?.pcs ?? [])
      .flatMap((pc) => pc.inbound)
      .reduce((sum, s) => sum + pick(s as unknown as Record<string, number | undefined>), 0);
  const rose = (pick: (s: Record<string, number | undefined>) => number) =>
    samples.length >= 2 && total(samples.length - 1, pick) > total(0, pick);
  return {
    frames: rose((s) => s.framesDecoded ?? 0),
    audioEnergy: rose((s) => s.totalAudioEnergy ?? 0),
  };
}
