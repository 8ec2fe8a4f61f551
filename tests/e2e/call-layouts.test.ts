import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SessionTokenResponse } from '@samkons/shared';
import { axeLog } from '../support/axe.js';
import { browserStageForFile } from '../support/stage.js';
import { bookCall, callJoined, enterCall, openCall } from '../support/call.js';
import { remoteVideosDecoding, screenshotter } from '../support/journey.js';
import { SCREEN_SIZES } from '../support/screens.js';

/**
 * The call's layouts as people see them (issue 10 item 6, issue 11 item 6), with real media
 * between real Chromium pages: the speaker layout uses the screen (the one on stage large,
 * one's own picture small), a booked interpreter stays beside the stage for everyone and is
 * labelled "Tolk", a shared screen goes large, the grid shows everyone, and the stage does
 * not flicker between speakers. At 1280x800, 1024x768 (tablet) and 390x844 (phone), with 3
 * and 5 people and with a screen share; axe on every screenshot. On the phone the control bar
 * is one row of essentials (microphone, camera, "Meir", leave), the rest is in the "Meir"
 * sheet, and a side panel covers the whole screen.
 *
 * Screenshots: test-results/call-layouts/.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/call-layouts/', import.meta.url));
const PATIENT = 'Per Pasient';
const GP = 'Frida Fastlege';
const INTERPRETER = 'Amir Haddad';
const DAUGHTER = 'Dagny Dotter';
const ui = { timeout: 45_000 };

const stage = browserStageForFile({
  env: { INVITE_OPENS_MINUTES_BEFORE: '300' },
  artefacts: ARTEFACTS,
  // Layouts, not pictures: five pages' video at a quarter of the frame rate leave the CPU to
  // them. The test is CPU-bound on 2 cores: at 10 fps it used 175-199 CPU s (97-109 s), at 5
  // fps 137-187 (80-105 s), measured in turns; a still 360p clip from a file used more (299).
  cameraFps: 5,
});

type Box = { x: number; y: number; width: number; height: number };
const boxOf = async (page: Page, selector: string): Promise<Box> => {
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`${selector}: not on screen`);
  return box;
};
const inside = (b: Box, w: number, h: number) =>
  b.x >= -1 && b.y >= -1 && b.x + b.width <= w + 1 && b.y + b.height <= h + 1;

/** Where each part of the call and each slot of the stage sits, for a failure message. */
const layoutOf = (page: Page) =>
  page.evaluate(() =>
    Array.from(document.querySelectorAll('.call > *, .call__stage-area, .call__stage-area > *'))
      .map((e) => {
        const b = e.getBoundingClientRect();
        const at = [b.x, b.y, b.width, b.height].map(Math.round);
        return `${e.tagName.toLowerCase()}.${e.className}: ${at[0]},${at[1]} ${at[2]}x${at[3]}`;
      })
      .join('; '),
  );

/** The control bar as shown: its height, and each shown button's name and top. */
const barOf = (page: Page) =>
  page.locator('nav.controls').evaluate((nav) => {
    const shown = (e: Element) => e.getClientRects().length > 0;
    const row = nav.querySelector('.controls__row');
    const buttons = Array.from(nav.querySelectorAll('.controls__row > button')).filter(shown);
    return {
      height: nav.getBoundingClientRect().height,
      overflows: row !== null && row.scrollWidth > row.clientWidth + 1,
      names: buttons.map(
        (b) => b.getAttribute('aria-label') ?? b.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      ),
      tops: buttons.map((b) => Math.round(b.getBoundingClientRect().top)),
      widths: buttons.map((b) => Math.round(b.getBoundingClientRect().width)),
    };
  });

/**
 * On every remote tile: the host's menu button, the badges (as far as they show) and the
 * caption, pairwise, do not overlap. Returns the overlaps found, in words.
 */
const tileOverlaps = (page: Page) =>
  page.evaluate(() => {
    type R = { name: string; l: number; t: number; r: number; b: number };
    const rect = (name: string, e: Element, clip?: DOMRect): R | null => {
      const b = e.getBoundingClientRect();
      const r = {
        name,
        l: Math.max(b.left, clip?.left ?? -Infinity),
        t: Math.max(b.top, clip?.top ?? -Infinity),
        r: Math.min(b.right, clip?.right ?? Infinity),
        b: Math.min(b.bottom, clip?.bottom ?? Infinity),
      };
      return r.r - r.l > 0.5 && r.b - r.t > 0.5 ? r : null;
    };
    const found: string[] = [];
    for (const tile of Array.from(
      document.querySelectorAll('[data-testid="remote-participant"]'),
    )) {
      if (tile.getClientRects().length === 0) continue;
      const list = tile.querySelector('.tile__badges');
      const clip = list?.getBoundingClientRect();
      const parts = [
        tile.querySelector('.tile__host summary'),
        tile.querySelector('.tile__caption'),
      ].map((e, i) => (e ? rect(i === 0 ? 'menu' : 'caption', e) : null));
      for (const badge of Array.from(tile.querySelectorAll('.tile__badges > .badge'))) {
        parts.push(rect(`badge "${badge.textContent}"`, badge, clip));
      }
      const shown = parts.filter((x): x is R => x !== null);
      for (let i = 0; i < shown.length; i++) {
        for (let j = i + 1; j < shown.length; j++) {
          const [a, b] = [shown[i]!, shown[j]!];
          const meet =
            Math.min(a.r, b.r) - Math.max(a.l, b.l) > 0.5 &&
            Math.min(a.b, b.b) - Math.max(a.t, b.t) > 0.5;
          if (meet) {
            found.push(`${tile.getAttribute('data-peer-id')}: ${a.name} over ${b.name}`);
          }
        }
      }
    }
    return found;
  });

describe('call layouts', () => {
  it('speaker and grid, interpreter beside the stage, screen share large, at three sizes', async () => {
    const shot = screenshotter(ARTEFACTS);
    const a11y = axeLog();
    const call = await bookCall(stage.server.url, {
      title: 'Samkonsultasjon: visingar',
      hoursAhead: 2,
      invitees: [
        {
          role: 'patient',
          name: PATIENT,
          birthDate: '1941-03-14',
          joinsFrom: 'home',
          travelDistanceKm: 92,
        },
        {
          role: 'gp',
          name: GP,
          organisation: 'Knarvik legesenter',
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
        },
        {
          role: 'interpreter',
          name: INTERPRETER,
          organisation: 'Tolketenesta Vest',
          joinsFrom: 'home',
          travelDistanceKm: 0,
        },
        { role: 'next_of_kin', name: DAUGHTER, joinsFrom: 'home', travelDistanceKm: 0 },
      ],
    });
    const contexts: BrowserContext[] = [];
    const open = async (session: SessionTokenResponse) => {
      const opened = await openCall(stage.browser, stage.server.url, session, {
        viewport: { width: 1280, height: 800 },
      });
      contexts.push(opened.context);
      return opened.page;
    };
    const host = await open(call.host);
    await callJoined(host);
    const patient = await open(call.invitees[PATIENT]!);
    await enterCall(host, patient, PATIENT);
    const gp = await open(call.invitees[GP]!);
    await enterCall(host, gp, GP);
    for (const page of [host, patient]) await remoteVideosDecoding(page, 2, 30_000);

    /** Screenshots and axe of `page` at each size, with the layout checks of each. */
    const atEverySize = async (
      page: Page,
      label: string,
      check?: (w: number, h: number) => Promise<void>,
    ) => {
      for (const size of SCREEN_SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.waitForFunction(
          ([w]) => document.documentElement.clientWidth === w,
          [size.width],
        );
        await check?.(size.width, size.height);
        const name = `${label}-${size.name}-${size.width}x${size.height}`;
        await shot(page, name);
        await a11y.scan(page, name);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
    };

    /** The stage holds the large picture; one's own picture is small beside it. */
    const stageUsesTheScreen = async (page: Page, w: number, h: number) => {
      // The stage takes the screen (the tablet's 325x245 tile in a corner was 10 %), and one's
      // own picture is under a quarter of it. Everything is read in one evaluate, in one frame:
      // in CI, with five browsers on two cores, the locator reads this once was (the element
      // found, then its box asked for, two round trips) found the stage at 4 % of the screen
      // just after a read had found it large, and once found no stage at all. A hand-over of
      // the stage between the two round trips explains both: the old main's element stays and
      // becomes a strip cell (4.4 % of the screen at 1280x800 and 1024x768), and the screen's
      // element goes when the share stops reaching this page. No frame shows a small stage.
      // Polled all the same, as a person looks for more than one frame; a stage that stays
      // small fails with a screenshot and where everything sat.
      const areas = () =>
        page.evaluate(() => {
          const box = (selector: string) =>
            document.querySelector(selector)?.getBoundingClientRect();
          const area = (b: DOMRect | undefined) => (b ? Math.round(b.width * b.height) : 0);
          const main = box('.stage__main');
          return {
            stage: area(main),
            self: area(box('[data-testid="self-view"]')),
            main: main && { x: main.x, y: main.y, width: main.width, height: main.height },
          };
        });
      const fits = (a: { stage: number; self: number; main: Box | undefined }) =>
        a.stage > w * h * 0.3 &&
        a.self > 0 &&
        a.self < a.stage / 4 &&
        a.main !== undefined &&
        inside(a.main, w, h);
      try {
        await expect.poll(async () => fits(await areas()), { timeout: 10_000 }).toBe(true);
      } catch (e) {
        // What the person saw, beside where everything sat (test-results/call-layouts/).
        await shot(page, `small-stage-${w}x${h}`);
        const a = await areas();
        throw new Error(
          `stage ${a.stage} px², self view ${a.self} px² at ${w}x${h}: ${await layoutOf(page)}`,
          { cause: e },
        );
      }
      const controls = await boxOf(page, 'nav.controls');
      expect(inside(controls, w, h), `controls on screen at ${w}x${h}`).toBe(true);
      await barIsOneRow(page, w, h);
    };

    /** The control bar is one row of buttons, low, and fits (nothing cut off at the end). */
    const barIsOneRow = async (page: Page, w: number, h: number) => {
      const bar = await barOf(page);
      const widths = bar.names.map((n, i) => `${n} ${bar.widths[i]}`).join(' | ');
      console.log(`bar at ${w}x${h}: ${Math.round(bar.height)} px: ${widths}`);
      expect(new Set(bar.tops).size, `one row of controls at ${w}x${h}: ${widths}`).toBe(1);
      expect(bar.overflows, `the row fits at ${w}x${h}: ${widths}`).toBe(false);
      // One row of icons with words under them (two rows were about 120 px at 1024x768).
      expect(bar.height, `control bar height at ${w}x${h}`).toBeLessThan(w < 500 ? h * 0.1 : 80);
    };

    // --- Three people, speaker layout ------------------------------------------------
    await patient.locator('[data-layout="speaker"][aria-pressed="true"]').waitFor(ui);
    // The patient sees the specialist on stage first.
    const hostPeer = await patient
      .getByTestId('remote-participant')
      .filter({ hasText: call.host.participant.name })
      .getAttribute('data-peer-id');
    await patient.locator(`[data-testid="stage"][data-stage-peer="${hostPeer}"]`).waitFor(ui);
    await atEverySize(patient, '3-people-patient-speaker', (w, h) =>
      stageUsesTheScreen(patient, w, h),
    );
    await atEverySize(host, '3-people-host-speaker', (w, h) => stageUsesTheScreen(host, w, h));

    // Desktop and tablet: one row of icon buttons with short words; at 1280x800 all of them,
    // at 1024x768 what does not fit is behind "Meir" (in the sheet, not also in the row).
    await host.setViewportSize({ width: 1280, height: 800 });
    await host.waitForFunction(() => document.documentElement.clientWidth === 1280);
    const wide = await barOf(host);
    for (const name of ['Mikrofon', 'Kamera', 'Meldingar', 'Deltakarar', 'Forlat møtet']) {
      expect(wide.names, `${name} in the row at 1280x800`).toContain(name);
    }
    expect(wide.names).toContain('Avslutt for alle');
    await host.setViewportSize({ width: 1024, height: 768 });
    await host.waitForFunction(() => document.documentElement.clientWidth === 1024);
    await barIsOneRow(host, 1024, 768);
    const tablet = await barOf(host);
    for (const name of ['Mikrofon', 'Kamera', 'Meldingar', 'Deltakarar', 'Forlat møtet']) {
      expect(tablet.names, `${name} in the row at 1024x768`).toContain(name);
    }
    expect(tablet.names).toContain('Meir');
    // The microphone is a toggle named by its word; what a press does is its tooltip.
    const hostMic = host.getByRole('button', { name: 'Mikrofon', exact: true });
    expect(await hostMic.getAttribute('aria-pressed')).toBe('true');
    expect(await hostMic.getAttribute('title')).toBe('Slå av mikrofonen');
    await host.getByRole('button', { name: 'Meir', exact: true }).click();
    const tabletSheet = host.getByTestId('call-more');
    const folded = await tabletSheet
      .locator('button')
      .evaluateAll((els) =>
        els.filter((e) => e.getClientRects().length > 0).map((e) => e.textContent?.trim() ?? ''),
      );
    expect(folded.length, 'something is behind "Meir" at 1024x768').toBeGreaterThan(0);
    for (const name of folded) expect(tablet.names).not.toContain(name);
    expect(folded).toContain('Berre lyd');
    expect(inside(await boxOf(host, '[data-testid="call-more"]'), 1024, 768)).toBe(true);
    await shot(host, 'tablet-host-more-1024x768');
    await a11y.scan(host, 'tablet-host-more');
    await host.keyboard.press('Escape');
    await expect.poll(() => tabletSheet.count(), ui).toBe(0);

    // The host's phone: the agenda is one line (the part on now, moving on); choosing any
    // part is behind "Delar".
    await host.setViewportSize({ width: 390, height: 844 });
    await host.waitForFunction(() => document.documentElement.clientWidth === 390);
    const agendaBar = host.getByTestId('agenda-bar');
    const agendaBox = await boxOf(host, '[data-testid="agenda-bar"]');
    expect(agendaBox.height, "the host's agenda bar on a phone").toBeLessThan(60);
    const agendaMiddles = await agendaBar
      .locator('.agenda__now, .agenda__go-next, summary')
      .evaluateAll((els) =>
        els.map((e) => (e.getBoundingClientRect().top + e.getBoundingClientRect().bottom) / 2),
      );
    expect(agendaMiddles.length).toBe(3);
    expect(Math.max(...agendaMiddles) - Math.min(...agendaMiddles), 'one line').toBeLessThan(4);
    expect(await host.getByLabel('Gå til del').isVisible()).toBe(false);
    await agendaBar.getByText('Delar', { exact: true }).click();
    await host.getByLabel('Gå til del').waitFor({ state: 'visible', ...ui });
    expect(inside(await boxOf(host, '.agenda__chooser-body'), 390, 844)).toBe(true);
    await shot(host, 'phone-host-agenda-parts-390x844');
    await a11y.scan(host, 'phone-host-agenda-parts');
    await agendaBar.getByText('Delar', { exact: true }).click();
    await host.getByLabel('Gå til del').waitFor({ state: 'hidden', ...ui });
    await host.setViewportSize({ width: 1280, height: 800 });

    // A phone: one row of essentials (the rest behind "Meir"); panels as full-screen sheets.
    await patient.setViewportSize({ width: 390, height: 844 });
    await patient.waitForFunction(() => document.documentElement.clientWidth === 390);
    const bar = await boxOf(patient, 'nav.controls');
    expect(bar.height, 'phone control bar height').toBeLessThan(844 * 0.1);
    const phoneBar = await barOf(patient);
    expect(phoneBar.names).toEqual(['Mikrofon', 'Kamera', 'Meir', 'Forlat møtet']);
    expect(new Set(phoneBar.tops).size, 'one row of controls').toBe(1);
    expect(await patient.getByRole('button', { name: 'Meldingar' }).count()).toBe(0);
    const mic = patient.getByRole('button', { name: 'Mikrofon', exact: true });
    expect(await mic.getAttribute('aria-pressed')).toBe('true');
    await patient.getByRole('button', { name: 'Meir', exact: true }).click();
    const sheet = patient.getByTestId('call-more');
    for (const name of ['Berre lyd', 'Rekk opp handa', 'Meldingar', 'Deltakarar', 'Rutenett']) {
      await sheet.getByRole('button', { name, exact: true }).waitFor(ui);
    }
    expect(inside(await boxOf(patient, '[data-testid="call-more"]'), 390, 844)).toBe(true);
    await shot(patient, 'phone-patient-more-390x844');
    await a11y.scan(patient, 'phone-patient-more');
    await sheet.getByRole('button', { name: 'Meldingar', exact: true }).click();
    await expect.poll(() => sheet.count(), ui).toBe(0);
    const chatSheet = await boxOf(patient, '#call-panel');
    expect(chatSheet, 'chat as a full-screen sheet').toEqual({
      x: 0,
      y: 0,
      width: 390,
      height: 844,
    });
    await shot(patient, 'phone-patient-chat-390x844');
    await a11y.scan(patient, 'phone-patient-chat');
    await patient.locator('#call-panel').getByRole('button', { name: 'Lukk', exact: true }).click();
    await patient.getByRole('button', { name: 'Forlat møtet', exact: true }).click();
    await patient.getByTestId('leave-confirm').waitFor(ui);
    expect(inside(await boxOf(patient, 'nav.controls'), 390, 844)).toBe(true);
    await shot(patient, 'phone-patient-leave-confirm-390x844');
    await patient.getByRole('button', { name: 'Bli i møtet', exact: true }).click();
    await patient.setViewportSize({ width: 1280, height: 800 });

    // Compact captions: name and role; the organisation only on hover or focus.
    const gpTile = host.getByTestId('remote-participant').filter({ hasText: GP });
    const org = gpTile.locator('.tile__org');
    // The pointer rests where the waiting prompt was, over the strip since the GP came in.
    await host.mouse.move(0, 0);
    expect(await org.isVisible()).toBe(false);
    expect(await gpTile.locator('.tile__caption').textContent()).toContain('fastlege');
    await gpTile.hover();
    await org.waitFor({ state: 'visible', ...ui });
    expect(await org.textContent()).toBe('Knarvik legesenter');
    await host.mouse.move(0, 0);

    // One's own picture moves to another corner.
    const selfView = host.getByTestId('self-view');
    expect(await selfView.getAttribute('data-corner')).toBe('br');
    await host.getByRole('button', { name: 'Flytt biletet av deg' }).click();
    await expect.poll(() => selfView.getAttribute('data-corner'), ui).toBe('bl');

    // Grid: everyone the same size.
    await host.getByRole('button', { name: 'Rutenett' }).click();
    await host.locator('[data-layout="grid"].call__stage-area').waitFor(ui);
    await atEverySize(host, '3-people-host-grid', async (w, h) => {
      const cells = await host
        .locator('.grid__cell')
        .evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
      expect(cells.length).toBe(3);
      expect(Math.max(...cells) - Math.min(...cells)).toBeLessThan(2);
      expect(inside(await boxOf(host, '.call__stage-area'), w, h)).toBe(true);
    });
    await host.getByRole('button', { name: 'Talarvising' }).click();

    // --- Five people, with the interpreter -------------------------------------------
    const interpreter = await open(call.invitees[INTERPRETER]!);
    await enterCall(host, interpreter, INTERPRETER);
    const daughter = await open(call.invitees[DAUGHTER]!);
    await enterCall(host, daughter, DAUGHTER);
    for (const page of [host, patient]) await remoteVideosDecoding(page, 4, 40_000);

    const interpreterBeside = async (page: Page, w: number, h: number) => {
      const tile = page.locator('.stage__beside-cell [data-role="interpreter"]');
      await tile.waitFor({ state: 'visible', ...ui });
      expect(await tile.locator('.badge--tag').textContent()).toBe('Tolk');
      const box = await tile.boundingBox();
      expect(box && inside(box, w, h), `interpreter on screen at ${w}x${h}`).toBe(true);
      expect(box!.width, `interpreter tile width at ${w}x${h}`).toBeGreaterThan(
        w < 500 ? 100 : 180,
      );
    };
    // The interpreter is never in the strip, for anyone.
    for (const page of [host, patient, gp, daughter]) {
      await interpreterBeside(page, 1280, 800);
      expect(await page.locator('.strip__cell [data-role="interpreter"]').count()).toBe(0);
    }
    await atEverySize(patient, '5-people-patient-speaker', async (w, h) => {
      await stageUsesTheScreen(patient, w, h);
      await interpreterBeside(patient, w, h);
    });
    // An honest badge: while every picture plays on an unshaped network, no tile goes on
    // saying the line is broken or reconnecting (the screenshots below then fake the longest
    // badge). Five browsers on two cores do stall now and then, and a badge says so for the
    // seconds it takes to see the line well again (3 tiles still said so just after all the
    // pictures played, once in CI): it must clear while they play.
    for (const page of [host, patient, gp, interpreter, daughter]) {
      await remoteVideosDecoding(page, 4, 40_000);
      const brokenLines = () =>
        page
          .locator('[data-testid="remote-participant"] [data-testid="quality"]')
          .evaluateAll((els) =>
            els
              .map((e) => e.getAttribute('data-line'))
              .filter((l) => l === 'lost' || l === 'reconnecting'),
          );
      await expect.poll(brokenLines, { timeout: 15_000 }).toEqual([]);
    }
    // Small tiles with the host's menu: badges, caption and menu button never overlap, even
    // with the longest line badge there is (written into every badge: the screenshots named
    // "longest-badge" show it on purpose, not the line).
    const longBadges = () =>
      host.evaluate(() => {
        const selector = '[data-testid="remote-participant"] [data-testid="quality"]';
        for (const badge of Array.from(document.querySelectorAll(selector))) {
          if (badge.firstChild) badge.firstChild.nodeValue = 'Linje: koplar til igjen';
        }
      });
    await atEverySize(host, '5-people-host-speaker-longest-badge', async (w, h) => {
      await interpreterBeside(host, w, h);
      await longBadges();
      expect(await tileOverlaps(host), `tiles at ${w}x${h}`).toEqual([]);
    });
    await host.getByRole('button', { name: 'Rutenett' }).click();
    await atEverySize(host, '5-people-host-grid-longest-badge', async (w, h) => {
      await longBadges();
      expect(await tileOverlaps(host), `grid tiles at ${w}x${h}`).toEqual([]);
      expect(await host.locator('.grid__cell').count()).toBe(5);
      expect(await host.locator('.grid__cell [data-role="interpreter"]').isVisible()).toBe(true);
    });
    await host.getByRole('button', { name: 'Talarvising' }).click();

    // The stage is steady: with every fake microphone beeping, it never switches faster
    // than the 1.5 s hold (a switch per dominant-speaker change would).
    const switches = await patient.evaluate(
      () =>
        new Promise<number[]>((resolve) => {
          const el = document.querySelector('[data-testid="stage"]');
          const times: number[] = [];
          const observer = new MutationObserver(() => times.push(performance.now()));
          if (el) observer.observe(el, { attributes: true, attributeFilter: ['data-stage-peer'] });
          setTimeout(() => {
            observer.disconnect();
            resolve(times);
          }, 8000);
        }),
    );
    const gaps = switches.slice(1).map((t, i) => t - switches[i]!);
    expect(Math.min(...gaps, Infinity), `stage switches at ${switches.join(', ')}`).toBeGreaterThan(
      1400,
    );

    // --- Screen share: large for the others, the interpreter still beside it ----------
    await host.getByRole('button', { name: 'Del skjermen', exact: true }).click();
    await patient.locator('[data-testid="stage"][data-stage-kind="screen"]').waitFor(ui);
    await patient.waitForFunction(
      () => {
        const v = document.querySelector('.stage__main [data-testid="remote-screen"] video');
        return v instanceof HTMLVideoElement && v.videoWidth > 0;
      },
      null,
      ui,
    );
    await atEverySize(patient, 'screen-share-patient', async (w, h) => {
      await stageUsesTheScreen(patient, w, h);
      await interpreterBeside(patient, w, h);
    });
    await atEverySize(host, 'screen-share-host');
    await host.getByRole('button', { name: 'Slutt å dele skjermen', exact: true }).click();
    await patient.locator('[data-testid="stage"][data-stage-kind="camera"]').waitFor(ui);

    console.log(
      `call-layouts: stage switches in 8 s: ${switches.length}; ${shot.paths.length} screenshots`,
    );
    expect(a11y.failures()).toBe('');
    await Promise.all(contexts.map((c) => c.close()));
  }, 480_000);
});
