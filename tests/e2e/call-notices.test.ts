import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { SessionTokenResponse } from '@samkons/shared';
import { axeLog } from '../support/axe.js';
import { browserStageForFile } from '../support/stage.js';
import { bookCall, callJoined, enterCall, openCall } from '../support/call.js';
import {
  loginAsDemoSpecialist,
  participantContext,
  screenshotter,
  waitForFirstRemoteFrame,
} from '../support/journey.js';

/**
 * What a person notices in the call (issue 10 items 1, 5, 13, 14), in real Chromium with
 * real media: the host sees who waits with the People panel closed (prompt with admit and
 * deny, a count on "Deltakarar", a chime that starts, the tab title); the host's mute, the
 * request to unmute, a chat message and a raised hand reach the other side as visible
 * notices; a patient who reloads mid-call comes back still muted by the host; "Forlat
 * møtet" asks first, and a participant who reloads twice and leaves leaves no tile behind on
 * the host's page; both end screens offer the survey, which opens in a tab of its own;
 * the staff end screen leads back to the consultation.
 *
 * Screenshots and axe: test-results/call-notices/. Figures: test-results/call-notices/figures.json.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/call-notices/', import.meta.url));
const PATIENT = 'Per Pasient';
const DAUGHTER = 'Dagny Dotter';
const ui = { timeout: 45_000 };

const stage = browserStageForFile({
  env: { INVITE_OPENS_MINUTES_BEFORE: '300' },
  artefacts: ARTEFACTS,
});

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** One's own microphone in the control bar: a toggle, pressed while on. */
const mic = (page: Page, on: boolean) =>
  page.getByRole('button', { name: 'Mikrofon', exact: true, pressed: on });
const tileOf = (page: Page, name: string) =>
  page.getByTestId('remote-participant').filter({ hasText: name });
const notice = (page: Page, text: string) => page.getByTestId('notice').filter({ hasText: text });

/** Counts every WebAudio source started on the page (the waiting chime is one). */
const recordAudioStarts = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __audioStarts: number };
    w.__audioStarts = 0;
    const start = AudioScheduledSourceNode.prototype.start;
    AudioScheduledSourceNode.prototype.start = function (...args: [number?]) {
      w.__audioStarts++;
      return start.apply(this, args);
    };
  });
const audioStarts = (page: Page) =>
  page.evaluate(() => (window as unknown as { __audioStarts: number }).__audioStarts);

type StreamHold = { __held: (() => void)[]; __settling: number; __release(): void };

/**
 * The page sets up new remote streams only once released, as a busy machine would be late
 * to: each stream's renegotiation of the receive transport (a remote offer) waits. Counts
 * the renegotiations still settling (offer set, answer not yet).
 */
const holdStreamSetUp = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as StreamHold;
    const proto = RTCPeerConnection.prototype;
    type SetDescription = (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) => Promise<void>;
    const setRemote = proto.setRemoteDescription as SetDescription;
    const setLocal = proto.setLocalDescription as SetDescription;
    let holding = true;
    w.__held = [];
    w.__settling = 0;
    proto.setRemoteDescription = function (this: RTCPeerConnection, d: RTCSessionDescriptionInit) {
      if (d?.type !== 'offer') return setRemote.call(this, d);
      w.__settling++;
      const set = () =>
        setRemote.call(this, d).catch((err: unknown) => {
          w.__settling--; // no answer follows a refused offer
          throw err;
        });
      if (!holding) return set();
      return new Promise<void>((go) => w.__held.push(go)).then(set);
    } as typeof proto.setRemoteDescription;
    proto.setLocalDescription = function (this: RTCPeerConnection, d?: RTCSessionDescriptionInit) {
      if (d?.type !== 'answer') return setLocal.call(this, d);
      return setLocal.call(this, d).finally(() => w.__settling--);
    } as typeof proto.setLocalDescription;
    w.__release = () => {
      holding = false;
      for (const go of w.__held.splice(0)) go();
    };
  });

/** Releases the held set-ups and waits until they settled and the page has drawn them. */
async function releaseStreamSetUp(page: Page): Promise<void> {
  await page.evaluate(() => (window as unknown as StreamHold).__release());
  await page.waitForFunction(() => (window as unknown as StreamHold).__settling === 0, null, ui);
  await page.evaluate(
    () => new Promise((drawn) => requestAnimationFrame(() => requestAnimationFrame(drawn))),
  );
}

describe('what people notice in the call', () => {
  it('waiting prompt, host notices, reload keeps the mute, leave asks, survey on both end screens', async () => {
    const pagesOnFailure: Page[] = [];
    try {
      await journeyOfNotices(pagesOnFailure);
    } catch (err) {
      // What each page showed when a step failed.
      for (const [i, page] of pagesOnFailure.entries()) {
        await page
          .screenshot({ path: path.join(ARTEFACTS, `failed-page-${i}.png`) })
          .catch(() => undefined);
      }
      throw err;
    }
  }, 360_000);
});

async function journeyOfNotices(pagesOnFailure: Page[]): Promise<void> {
  {
    const shot = screenshotter(ARTEFACTS);
    const a11y = axeLog();
    const call = await bookCall(stage.server.url, {
      title: 'Samkonsultasjon: varsel',
      hoursAhead: 2,
      invitees: [
        {
          role: 'patient',
          name: PATIENT,
          birthDate: '1941-03-14',
          joinsFrom: 'home',
          travelDistanceKm: 92,
        },
        { role: 'next_of_kin', name: DAUGHTER, joinsFrom: 'home', travelDistanceKm: 0 },
      ],
    });
    const contexts: BrowserContext[] = [];

    // The specialist logs in (the end screen's way back needs the login), then opens the call.
    const hostContext = await participantContext(stage.browser, {
      viewport: { width: 1280, height: 800 },
    });
    contexts.push(hostContext);
    await hostContext.addInitScript(([key, value]) => sessionStorage.setItem(key, value), [
      `samkons.room.${call.consultation.id}`,
      JSON.stringify(call.host),
    ] as const);
    const host = await hostContext.newPage();
    pagesOnFailure.push(host);
    await loginAsDemoSpecialist(host, stage.server.url);
    await host.goto(`${stage.server.url}/room/${call.consultation.id}`);
    await callJoined(host);
    const baseTitle = await host.title();
    expect(baseTitle).not.toMatch(/ventar/);
    await recordAudioStarts(host);

    // --- 1. Someone waits: visible with the People panel closed ------------------------
    const open = async (session: SessionTokenResponse) => {
      const opened = await openCall(stage.browser, stage.server.url, session, {
        viewport: { width: 1280, height: 800 },
      });
      contexts.push(opened.context);
      pagesOnFailure.push(opened.page);
      return opened.page;
    };
    const patient = await open(call.invitees[PATIENT]!);
    await patient.getByTestId('waiting-screen').waitFor(ui);
    const prompt = host.getByTestId('waiting-prompt');
    await prompt.waitFor({ state: 'visible', ...ui });
    expect(
      await host.getByRole('button', { name: 'Deltakarar' }).getAttribute('aria-expanded'),
    ).toBe('false');
    expect(await prompt.textContent()).toContain(`${PATIENT} ventar på å kome inn`);
    expect(await prompt.textContent()).toContain('pasient');
    await expect.poll(() => audioStarts(host), ui).toBeGreaterThan(0);
    await expect.poll(() => host.title(), ui).toBe(`(1) ventar – ${baseTitle}`);
    expect(await host.getByTestId('waiting-count').textContent()).toContain('1');
    // On the host's phone the People button is behind "Meir": the count is on "Meir".
    await host.setViewportSize({ width: 390, height: 844 });
    await host.waitForFunction(() => document.documentElement.clientWidth === 390);
    const moreButton = host.getByRole('button', { name: 'Meir 1 nye', exact: true });
    await moreButton.waitFor({ state: 'visible', ...ui });
    expect(await host.getByTestId('more-count').isVisible()).toBe(true);
    expect(await host.getByTestId('more-count').textContent()).toContain('1');
    await shot(host, '01-host-someone-waits-phone');
    await a11y.scan(host, '01-host-someone-waits-phone');
    await host.setViewportSize({ width: 1280, height: 800 });
    await host.waitForFunction(() => document.documentElement.clientWidth === 1280);
    expect(await host.getByTestId('call-announcer').textContent()).toContain(
      `${PATIENT} ventar på å kome inn.`,
    );
    await shot(host, '01-host-someone-waits');
    await a11y.scan(host, '01-host-someone-waits');

    await prompt.getByRole('button', { name: `Slepp inn ${PATIENT}`, exact: true }).click();
    await callJoined(patient);
    await prompt.waitFor({ state: 'detached', ...ui });
    await expect.poll(() => host.title(), ui).toBe(baseTitle);
    expect(await host.getByTestId('waiting-count').count()).toBe(0);

    const daughter = await open(call.invitees[DAUGHTER]!);
    await enterCall(host, daughter, DAUGHTER);
    for (const page of [host, patient, daughter]) {
      await page.waitForFunction(
        () => document.querySelectorAll('[data-testid="remote-participant"]').length === 2,
        null,
        ui,
      );
    }

    console.log('call-notices: step 2');
    // --- 2. Host actions reach the patient visibly ------------------------------------
    const hostMenu = async (action: string) => {
      await tileOf(host, PATIENT).getByTitle(`Handlingar for ${PATIENT}`).click();
      await host.getByRole('button', { name: action, exact: true }).click();
    };
    const MUTE = `Slå av mikrofonen til ${PATIENT}`;
    await hostMenu(MUTE);
    await tileOf(host, PATIENT).getByText('Mikrofonen er av').waitFor(ui);
    const muted = notice(patient, 'Verten slo av mikrofonen din.');
    await muted.waitFor({ state: 'visible', ...ui });
    // It explains a state: it stays while the host's mute lasts (until dismissed).
    expect(await muted.getAttribute('data-kind')).toBe('status');
    await mic(patient, false).waitFor(ui);
    const box = await muted.boundingBox();
    expect(box && box.y >= 0 && box.y + box.height <= 800).toBe(true);
    expect(await patient.getByTestId('call-announcer').textContent()).toContain(
      'Verten slo av mikrofonen din.',
    );
    await shot(patient, '02-patient-muted-by-host');
    await a11y.scan(patient, '02-patient-muted-by-host');
    // Dismissable.
    await muted.getByRole('button', { name: 'Lukk varselet' }).click();
    await muted.waitFor({ state: 'detached', ...ui });

    await hostMenu(`Be ${PATIENT} slå på mikrofonen`);
    const asked = patient.getByTestId('notice').filter({ hasText: 'ber deg slå på mikrofonen' });
    await asked.waitFor({ state: 'visible', ...ui });
    expect(await asked.getAttribute('data-kind')).toBe('request');
    await shot(patient, '03-patient-asked-to-unmute');
    // The request is answered from the notice itself.
    await asked.getByRole('button', { name: 'Slå på mikrofonen', exact: true }).click();
    await asked.waitFor({ state: 'detached', ...ui });
    await mic(patient, true).waitFor(ui);
    await expect
      .poll(() => tileOf(host, PATIENT).getByText('Mikrofonen er av').count(), ui)
      .toBe(0);

    // A chat message while the patient's chat is closed; a raised hand reaches the host.
    await button(host, 'Meldingar').click();
    await host.locator('#chat-input').fill('Har du teke medisinane i dag?');
    await host.locator('#chat-input').press('Enter');
    await button(host, 'Lukk').click();
    // Information passes by itself (10 s): read at once, in the page.
    await patient.waitForFunction(
      () =>
        Array.from(document.querySelectorAll('[data-testid="notice"]')).some(
          (n) =>
            n.textContent?.includes('Ny melding frå') &&
            n.textContent.includes('Har du teke medisinane i dag?') &&
            n.querySelector('button')?.textContent === 'Opne meldingane',
        ),
      null,
      ui,
    );
    await patient.getByRole('button', { name: /^Meldingar \(1\)$/ }).click();
    await patient.locator('.chat__list').getByText('Har du teke medisinane i dag?').waitFor(ui);
    await button(patient, 'Lukk').click();

    await button(patient, 'Rekk opp handa').click();
    await host.waitForFunction(
      (text) =>
        Array.from(document.querySelectorAll('[data-testid="notice"]')).some((n) =>
          n.textContent?.includes(text),
        ),
      `${PATIENT} rekkjer opp handa`,
      ui,
    );
    const badge = tileOf(host, PATIENT).locator('.badge--hand');
    await badge.waitFor(ui);
    // An icon, not an emoji that renders as a box without an emoji font.
    expect(await badge.locator('svg').count()).toBe(1);
    expect(await badge.textContent()).not.toMatch(/\p{Extended_Pictographic}/u);
    await shot(host, '04-host-hand-raised');
    await a11y.scan(host, '04-host-hand-raised');
    await button(patient, 'Ta ned handa').click();

    console.log('call-notices: step 3');
    // --- 3. A reload keeps the host's mute, and remote video comes back ------------------
    await hostMenu(MUTE);
    await mic(patient, false).waitFor(ui);
    const reloadStart = Date.now();
    await patient.reload();
    await callJoined(patient);
    await waitForFirstRemoteFrame(patient);
    const reloadToVideoMs = Date.now() - reloadStart;
    await mic(patient, false).waitFor(ui);
    expect(await mic(patient, true).count()).toBe(0);
    await tileOf(host, PATIENT).getByText('Mikrofonen er av').waitFor(ui);
    // The own picture is small and shows no badges: the patient sees it on the control above.

    console.log('call-notices: step 4');
    // --- 4. Leaving asks first; reloads and a leave leave no tile behind ---------------
    await button(daughter, 'Forlat møtet').click();
    const confirm = daughter.getByTestId('leave-confirm');
    await confirm.waitFor(ui);
    expect(await confirm.textContent()).toContain('Vil du forlate møtet?');
    await shot(daughter, '05-leave-confirm');
    await button(daughter, 'Bli i møtet').click();
    await confirm.waitFor({ state: 'detached', ...ui });
    expect(await daughter.getByTestId('room-page').getAttribute('data-state')).toBe('in-call');
    // Two reloads, then the leave, while the host's browser is still setting up the streams
    // she published each time: streams the server closed (or of someone who left) while they
    // were being set up must not come back as tiles of nobody.
    await holdStreamSetUp(host);
    for (let i = 0; i < 2; i++) {
      await daughter.reload();
      await enterCall(host, daughter, DAUGHTER);
    }
    await button(daughter, 'Forlat møtet').click();
    await button(daughter, 'Ja, forlat').click();
    await daughter.locator('[data-testid="end-screen"][data-reason="left"]').waitFor(ui);
    await daughter.getByTestId('survey-link').waitFor(ui);
    // The host's page shows exactly the people present: the patient.
    await tileOf(host, DAUGHTER).waitFor({ state: 'detached', ...ui });
    await releaseStreamSetUp(host);
    expect(await host.getByTestId('remote-participant').count()).toBe(1);
    expect(await tileOf(host, PATIENT).count()).toBe(1);

    console.log('call-notices: step 5');
    // --- 5. The end screens: survey for everyone, a way back for staff ----------------------
    await button(host, 'Avslutt for alle').click();
    await button(host, 'Ja, avslutt').click();
    for (const page of [host, patient]) {
      await page.locator('[data-testid="end-screen"][data-reason="session_ended"]').waitFor(ui);
      await page.getByTestId('survey-link').waitFor(ui);
    }
    await host.getByRole('link', { name: 'Tilbake til konsultasjonen' }).waitFor(ui);
    await host.getByRole('link', { name: 'Til Mine konsultasjonar' }).waitFor(ui);
    expect(await patient.getByRole('link', { name: 'Tilbake til konsultasjonen' }).count()).toBe(0);
    await shot(patient, '06-patient-end-screen');
    await a11y.scan(patient, '06-patient-end-screen');
    await shot(host, '07-host-end-screen');
    await a11y.scan(host, '07-host-end-screen');

    // The survey opens in a tab of its own (no sessionStorage of the call's tab) and works.
    for (const [who, page] of [
      ['patient', patient],
      ['host', host],
    ] as const) {
      const [tab] = await Promise.all([
        page.context().waitForEvent('page'),
        page.getByTestId('survey-link').click(),
      ]);
      await tab.waitForLoadState();
      await tab.locator('form.survey__form').waitFor(ui);
      // The token left the address bar.
      expect(new URL(tab.url()).hash).toBe('');
      await shot(tab, `08-survey-new-tab-${who}`);
      await a11y.scan(tab, `08-survey-new-tab-${who}`);
      await tab.close();
    }
    // Staff: back to the consultation.
    await host.getByRole('link', { name: 'Tilbake til konsultasjonen' }).click();
    await host.waitForURL(`**/consultations/${call.consultation.id}`);

    await writeFile(
      path.join(ARTEFACTS, 'figures.json'),
      JSON.stringify({ reloadToFirstRemoteFrameMs: reloadToVideoMs }, null, 2),
    );
    console.log(`call-notices: reload to first remote frame ${reloadToVideoMs} ms`);
    expect(a11y.failures()).toBe('');
    await Promise.all(contexts.map((c) => c.close()));
  }
}
