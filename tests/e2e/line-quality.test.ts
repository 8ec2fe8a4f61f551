import { writeFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitForFirstRemoteFrame } from '../support/journey.js';
import { netLabAvailable } from '../support/netlab.js';
import { useNetStage } from '../support/net-stage.js';

/*
 * The line badge tells the truth on a real bad link: the patient's browser sits behind the
 * network rig, the specialist's does not. Loss on the patient's downlink shows as a weak
 * line on the patient's own badge and, through the patient's report, on the specialist's
 * tile of the patient (the specialist's own media from the patient arrives fine). A cut
 * link shows "no sound or picture reaches you" on the patient's page, never "good" while it
 * lasts, and the specialist sees the patient's line as lost.
 */

const available = netLabAvailable();
if (!available.ok) console.warn(`line-quality e2e not run: ${available.reason}`);

const ARTEFACTS = 'test-results/line-quality';
const ROOM = 'e2e-line-quality';

/** Init script: every value the line badges take, with the time, for "never good" checks. */
function recordLineBadges(): void {
  const w = window as unknown as { __lineLog: { at: number; who: string; line: string }[] };
  w.__lineLog = [];
  const last = new Map<string, string>();
  const scan = () => {
    const seen: [string, string][] = [];
    const self = document.querySelector('[data-testid="line-self"]');
    if (self) seen.push(['self', self.getAttribute('data-line') ?? '']);
    document.querySelectorAll('[data-testid="remote-participant"]').forEach((tile) => {
      const badge = tile.querySelector('[data-testid="quality"]');
      seen.push([tile.getAttribute('data-peer-id') ?? '?', badge?.getAttribute('data-line') ?? '']);
    });
    for (const [who, line] of seen) {
      if (last.get(who) === line) continue;
      last.set(who, line);
      w.__lineLog.push({ at: Date.now(), who, line });
    }
  };
  new MutationObserver(scan).observe(document, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ['data-line'],
  });
}

type LineLog = { at: number; who: string; line: string }[];
const lineLog = (page: Page) =>
  page.evaluate(() => (window as unknown as { __lineLog: LineLog }).__lineLog);
const selfLine = async (page: Page) => {
  const { line, state } = await page.evaluate(() => ({
    line: document.querySelector('[data-testid="line-self"]')?.getAttribute('data-line') ?? 'gone',
    state: document.querySelector('[data-testid="room-page"]')?.getAttribute('data-state'),
  }));
  // What the rating was made from, in the log of a failing run.
  if (line !== 'good' && line !== 'ok') {
    const figures = await page.evaluate(
      () =>
        (window as unknown as { __samkonsLine?: { lastFigures?: unknown } }).__samkonsLine
          ?.lastFigures,
    );
    console.log('[line-quality] self', line, state, JSON.stringify(figures));
  }
  return line;
};

/** The line badge of the one remote tile on `page` ('' without a badge, 'gone' without a tile). */
const remoteLine = (page: Page) =>
  page.evaluate(() => {
    const tile = document.querySelector('[data-testid="remote-participant"]');
    if (!tile) return 'gone';
    return tile.querySelector('[data-testid="quality"]')?.getAttribute('data-line') ?? '';
  });
const started = Date.now();
const step = (what: string) =>
  console.log(`[line-quality] ${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`);

describe.runIf(available.ok)('the line badge on a real bad link', () => {
  const stage = useNetStage({ artefacts: ARTEFACTS, linkName: 'patient' });

  async function open(browser: Browser, name: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.addInitScript(recordLineBadges);
    const page = await context.newPage();
    await page.goto(`${stage().server.url}/room/${ROOM}?name=${encodeURIComponent(name)}`);
    return page;
  }

  // About 60 s on an idle machine; the bound allows for a loaded one.
  it("shows loss and a cut link on the patient's page and on the specialist's tile of the patient", async () => {
    const [host, patient] = await Promise.all([
      open(stage().outside, 'Spesialist Sol'),
      open(stage().inside, 'Pasient Pål'),
    ]);
    await Promise.all([waitForFirstRemoteFrame(host), waitForFirstRemoteFrame(patient)]);
    step('media both ways');
    const figures: Record<string, number | string> = {};
    const good = ['good', 'ok'];

    // Clean link: both see a working line.
    await expect.poll(() => selfLine(patient), { timeout: 15_000 }).toMatch(/^(good|ok)$/);
    await expect.poll(() => remoteLine(host), { timeout: 15_000 }).toMatch(/^(good|ok)$/);

    step('clean link: good');
    // 20 % loss towards the patient only: what the specialist receives from the patient is
    // clean, yet the specialist's tile of the patient turns weak through the patient's report.
    let t0 = Date.now();
    await stage().link.setLoss(0.2, 'down');
    await expect.poll(() => selfLine(patient), { timeout: 10_000 }).toBe('poor');
    figures.lossPoorOnOwnBadgeMs = Date.now() - t0;
    await expect.poll(() => remoteLine(host), { timeout: 10_000 }).toMatch(/^(poor|lost)$/);
    figures.lossSeenByHostMs = Date.now() - t0;
    await host.screenshot({ path: `${ARTEFACTS}/host-sees-weak-patient-1280.png` });
    await patient.screenshot({ path: `${ARTEFACTS}/patient-lossy-1280.png` });

    step('loss: poor on both pages');
    await stage().link.restore();
    await expect.poll(() => selfLine(patient), { timeout: 15_000 }).toMatch(/^(good|ok)$/);
    await expect.poll(() => remoteLine(host), { timeout: 15_000 }).toMatch(/^(good|ok)$/);
    step('loss over: good again');

    // Cut the link for 7 s (below socket.io's 15 s, so the patient stays in the room).
    t0 = Date.now();
    await stage().link.setOutage(true);
    await expect
      .poll(() => selfLine(patient), { timeout: 8_000, interval: 100 })
      .toMatch(/^(lost|reconnecting)$/);
    const stallShownAt = Date.now();
    figures.stallShownMs = stallShownAt - t0;
    step('cut: stall shown');
    // The stall text itself, on screen (the call state says "reconnecting" once recovery
    // runs; the line badge then gives way to it).
    expect(await patient.locator('.call__header').textContent()).toMatch(
      /Ingen lyd eller bilete når fram til deg|Koplar til/,
    );
    await patient.screenshot({ path: `${ARTEFACTS}/patient-cut-1280.png` });
    await patient.setViewportSize({ width: 390, height: 844 });
    await patient.screenshot({ path: `${ARTEFACTS}/patient-cut-390.png` });
    await patient.setViewportSize({ width: 1280, height: 800 });
    await expect
      .poll(() => remoteLine(host), { timeout: 8_000, interval: 100 })
      .toMatch(/^(poor|lost)$/);
    figures.hostSeesPatientLostMs = Date.now() - t0;
    step('cut: host sees the patient lost');
    await host.screenshot({ path: `${ARTEFACTS}/host-sees-patient-cut-1280.png` });
    const cutUntil = t0 + 7_000;
    await new Promise((r) => setTimeout(r, Math.max(0, cutUntil - Date.now())));
    await stage().link.setOutage(false);
    const restoredAt = Date.now();

    // Never "good" on the patient's own badge from the stall on until the link came back.
    const log = await lineLog(patient);
    const during = log.filter(
      (e) => e.who === 'self' && e.at >= stallShownAt && e.at <= restoredAt,
    );
    expect(during.map((e) => e.line)).not.toContain('good');
    const stateAtStall = log.filter((e) => e.who === 'self' && e.at <= stallShownAt).at(-1);
    expect(stateAtStall?.line).toMatch(/^(lost|reconnecting)$/);

    step('link back');
    // And back: both pages see a working line again, no user action.
    await expect.poll(() => selfLine(patient), { timeout: 30_000 }).toMatch(/^(good|ok)$/);
    figures.selfBackMs = Date.now() - restoredAt;
    await expect.poll(() => remoteLine(host), { timeout: 30_000 }).toMatch(/^(good|ok)$/);
    figures.hostBackMs = Date.now() - restoredAt;
    expect(good).toContain(await selfLine(patient));

    await writeFile(`${ARTEFACTS}/figures.json`, `${JSON.stringify(figures, null, 1)}\n`);
    console.log('[line-quality]', JSON.stringify(figures));
    await writeFile(
      `${ARTEFACTS}/line-log.json`,
      JSON.stringify({ patient: log, host: await lineLog(host) }, null, 1),
    );
  }, 180_000);
});
