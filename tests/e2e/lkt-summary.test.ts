import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consultation, ConsultationSummary, PlanItem } from '@samkons/shared';
import { axeLog } from '../support/axe.js';
import { loginToPatientEntry, startEidStage, type EidStage } from '../support/eid-stage.js';
import { loginAsDemoStaff, apiCall, participantContext } from '../support/journey.js';
import { admitFromLobby, callJoined } from '../support/call.js';
import { SCREEN_SIZES } from '../support/screens.js';
import {
  bookLktMeeting,
  NAMES,
  openCallAs,
  PATIENT_BIRTH_DATE,
  syntheticNationalId,
} from '../support/lkt.js';

/**
 * The summary after a session (issue 11 item 5) in Chromium against the real server: the
 * specialist, the GP (by her login) and the 14-year-old patient (through the patient entry
 * with ID-porten) meet in two parts of the agenda; her mother wrote "min gode dag" before,
 * shared with health personnel; the plan has two items; a follow-up is booked. After "Avslutt
 * for alle":
 * - the patient opens the summary from the end screen (with the call's session), and later
 *   from the patient entry (with the eID login alone, in a fresh browser);
 * - the GP opens it from the consultation page (by her login), with the fee codes to
 *   consider (guidance, with the source);
 * each shows who took part and in which parts, the good day, the plan and the next meeting;
 * "Skriv ut" prints; on paper (print media) the site's navigation and the buttons are gone.
 *
 * Screenshots at 1280x800, 1024x768, 390x844 and in print media: test-results/lkt-summary/.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/lkt-summary/', import.meta.url));
const GOOD_DAY = 'Ein god dag er når eg kan spele fotball med laget etter skulen.';
const WHAT_MATTERS = 'At eg slepp å vere heime frå skulen når astmaen er verst.';
const PLAN = ['Siri prøver den nye inhalatoren i fire veker', 'Siri fører dagbok over pusten'];
const NEXT_TITLE = 'Oppfølging: astma';
const SPEC = 'Dr. Ingrid Haukeland';

let stage: EidStage;
beforeAll(async () => {
  stage = await startEidStage({
    artefacts: ARTEFACTS,
    // The demo seed books the specialist for the next hour: the meeting is two hours out.
    env: { INVITE_OPENS_MINUTES_BEFORE: '300', LOGIN_RATE_LIMIT_PER_MINUTE: '100' },
  });
}, 300_000);
afterAll(async () => {
  await stage?.close();
});

describe('the summary after a session', () => {
  it('for the patient (end screen, patient entry) and the GP (consultation page), printable', async () => {
    const url = stage.server.url;
    const a11y = axeLog();
    const contexts: BrowserContext[] = [];
    const shots: string[] = [];

    // --- Booked: story by the guardian, two plan items, a follow-up ------------------------
    const pid = syntheticNationalId(PATIENT_BIRTH_DATE);
    const { consultation, sessions, staffToken } = await bookLktMeeting(url, {
      who: ['spec', 'gp', 'patient', 'mother'],
      patientNationalId: pid,
    });
    const id = consultation.id;
    const story = await fetch(`${url}/api/consultations/${id}/story`, {
      method: 'PUT',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${sessions.mother.sessionToken}`,
      },
      body: JSON.stringify({
        whatMatters: WHAT_MATTERS,
        goodDay: GOOD_DAY,
        sharing: 'health_personnel',
      }),
    });
    expect(story.status, await story.text()).toBe(200);
    for (const what of PLAN) {
      await apiCall<PlanItem>(url, `/consultations/${id}/plan/items`, staffToken, {
        what,
        owner: { kind: 'patient' },
        dueDate: '2031-01-31',
      });
    }
    // In 20 days at 02:00 UTC (clear of the demo seed's daytime bookings).
    const nextAt = new Date(Date.now() + 20 * 86400_000);
    nextAt.setUTCHours(2, 0, 0, 0);
    await apiCall<Consultation>(url, '/consultations', staffToken, {
      kind: 'follow_up',
      title: NEXT_TITLE,
      startsAt: nextAt.toISOString(),
      endsAt: new Date(nextAt.getTime() + 30 * 60_000).toISOString(),
      documentingOrganisation: 'Helse Bergen',
      continuesFrom: id,
      participants: [
        {
          role: 'patient',
          name: NAMES.patient,
          birthDate: PATIENT_BIRTH_DATE,
          nationalId: pid,
          joinsFrom: 'home',
          travelDistanceKm: 75,
        },
      ],
    });

    // --- The meeting: two parts with the patient, then "Avslutt for alle" ------------------
    const spec = await openCallAs(stage.browser, url, 'spec', sessions.spec, SCREEN_SIZES[0]);
    contexts.push(spec.context);
    const host = spec.page;
    await callJoined(host);
    const gp = await openCallAs(stage.browser, url, 'gp', sessions.gp, SCREEN_SIZES[0]);
    contexts.push(gp.context);
    await callJoined(gp.page);
    const patientContext = await participantContext(stage.browser, { viewport: SCREEN_SIZES[1] });
    contexts.push(patientContext);
    patientContext.setDefaultTimeout(30_000);
    const patient = await patientContext.newPage();
    await loginToPatientEntry(stage, patient, pid);
    await patient
      .getByRole('article', { name: consultation.title ?? '', exact: true })
      .getByRole('button', { name: 'Gå til førehandssjekk' })
      .click();
    await patient.getByRole('button', { name: 'Gå inn i møtet' }).click();
    await patient.getByTestId('waiting-screen').waitFor();
    await admitFromLobby(host, NAMES.patient);
    await callJoined(patient);

    const bar = host.getByTestId('agenda-bar');
    const goTo = async (part: string) => {
      await bar.getByLabel('Gå til del').selectOption({ label: part });
      await bar.getByRole('button', { name: 'Gå', exact: true }).click();
      await expect.poll(() => bar.getByTestId('agenda-now').textContent()).toBe(`No: ${part}`);
    };
    await goTo('Samtale med pasient og pårørande');
    await goTo('Oppsummering og plan');
    await host.getByRole('button', { name: 'Avslutt for alle', exact: true }).click();
    await host.getByRole('button', { name: 'Ja, avslutt', exact: true }).click();
    await patient.locator('[data-testid="end-screen"][data-reason="session_ended"]').waitFor();
    // The attendance is written as the session closes: wait for it, as the reader would.
    await expect
      .poll(
        async () => {
          const s = await apiCall<ConsultationSummary>(
            url,
            `/consultations/${id}/summary`,
            staffToken,
          );
          return s.participants.find((p) => p.name === NAMES.patient)?.attended;
        },
        { timeout: 15_000 },
      )
      .toBe(true);

    /** Every size, and print media, of the summary on `page` (full page), with axe. */
    const look = async (page: Page, name: string) => {
      for (const size of SCREEN_SIZES) {
        await page.setViewportSize({ width: size.width, height: size.height });
        await page.waitForFunction((w) => document.documentElement.clientWidth === w, size.width);
        const file = path.join(ARTEFACTS, `${name}-${size.name}-${size.width}x${size.height}.png`);
        await page.screenshot({ path: file, fullPage: true });
        shots.push(file);
        // Nothing wider than the screen (no sideways scrolling on a phone).
        expect(
          await page.evaluate(() => document.documentElement.scrollWidth),
          `${name} at ${size.width}`,
        ).toBeLessThanOrEqual(size.width);
      }
      await a11y.scan(page, name);
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.emulateMedia({ media: 'print' });
      expect(await page.locator('header.header').isVisible()).toBe(false);
      expect(await page.getByRole('button', { name: 'Skriv ut' }).isVisible()).toBe(false);
      expect(await page.getByTestId('summary-plan').isVisible()).toBe(true);
      const file = path.join(ARTEFACTS, `${name}-print.png`);
      await page.screenshot({ path: file, fullPage: true });
      shots.push(file);
      await page.emulateMedia({ media: 'screen' });
      // "Skriv ut" opens the browser's print dialogue.
      await page.evaluate(() => {
        (window as unknown as { printed: number }).printed = 0;
        window.print = () => {
          (window as unknown as { printed: number }).printed += 1;
        };
      });
      await page.getByRole('button', { name: 'Skriv ut' }).click();
      expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    };

    /** What every reader sees: who, in which parts, the good day, the plan, the next meeting. */
    const common = async (page: Page) => {
      const summary = page.getByTestId('summary');
      await page
        .getByRole('heading', { level: 1, name: `Samandrag: ${consultation.title}` })
        .waitFor();
      const people = summary.getByTestId('summary-people');
      const person = (name: string) => people.getByRole('listitem').filter({ hasText: name });
      await person(NAMES.patient).getByText('Var med i møtet').waitFor();
      await person(NAMES.patient)
        .getByText('Delar: Samtale med pasient og pårørande, Oppsummering og plan')
        .waitFor();
      await person(SPEC).getByText('Var med i møtet').waitFor();
      await person(NAMES.gp).getByText('Var med i møtet').waitFor();
      await person(NAMES.mother).getByText('Var ikkje med i møtet').waitFor();
      const parts = await summary
        .getByTestId('summary-parts')
        .getByRole('listitem')
        .allTextContents();
      expect(parts.map((p) => p.split(' (')[0])).toEqual([
        'Samtale med pasient og pårørande',
        'Oppsummering og plan',
      ]);
      await summary.getByTestId('summary-story').getByText(GOOD_DAY).waitFor();
      await summary.getByTestId('summary-story').getByText(WHAT_MATTERS).waitFor();
      for (const what of PLAN) await summary.getByTestId('summary-plan').getByText(what).waitFor();
      await summary
        .getByTestId('summary-next')
        .getByText(new RegExp(`^${NEXT_TITLE}, `))
        .waitFor();
      expect(await summary.getByTestId('summary-survey').getAttribute('href')).toMatch(
        new RegExp(`^/survey/${id}`),
      );
    };

    // --- The patient, from the end screen --------------------------------------------------
    await a11y.scan(patient, 'patient-end-screen');
    await patient.screenshot({ path: path.join(ARTEFACTS, 'patient-end-screen-tablet.png') });
    await patient.getByRole('link', { name: 'Sjå samandraget av møtet' }).click();
    await common(patient);
    expect(await patient.getByTestId('summary-for').textContent()).toBe(
      `Samandrag for ${NAMES.patient} (pasient)`,
    );
    // Fee codes are for the GP only.
    expect(await patient.getByTestId('summary-tariff').count()).toBe(0);
    await look(patient, 'patient-from-end-screen');

    // --- The GP, by her login, from the consultation page ----------------------------------
    const gpContext = await stage.browser.newContext({ viewport: SCREEN_SIZES[0] });
    contexts.push(gpContext);
    const gpPage = await gpContext.newPage();
    await loginAsDemoStaff(gpPage, url, 'fastlege');
    await gpPage.goto(`${url}/consultations/${id}`);
    await gpPage.getByRole('link', { name: 'Samandrag av møtet' }).click();
    await common(gpPage);
    const tariff = gpPage.getByTestId('summary-tariff');
    await tariff.getByRole('heading', { name: 'Takstar å vurdere (rettleiing)' }).waitFor();
    expect(await tariff.locator('li strong').allTextContents()).toEqual(['2ae', '2af']);
    await tariff.getByRole('link', { name: 'https://normaltariffen.legeforeningen.no' }).waitFor();
    await gpPage.getByRole('link', { name: 'Tilbake til konsultasjonen' }).waitFor();
    await look(gpPage, 'gp-from-consultation-page');

    // --- The patient entry, in a fresh browser: the eID login alone reads it ---------------
    const entryContext = await stage.browser.newContext({ viewport: SCREEN_SIZES[2] });
    contexts.push(entryContext);
    const entry = await entryContext.newPage();
    await loginToPatientEntry(stage, entry, pid);
    const meeting = entry.getByRole('article', { name: consultation.title ?? '', exact: true });
    await meeting.getByText('Møtet er over.').waitFor();
    await a11y.scan(entry, 'patient-entry-after');
    await entry.screenshot({ path: path.join(ARTEFACTS, 'patient-entry-after-phone.png') });
    await meeting.getByRole('link', { name: 'Sjå samandraget av møtet' }).click();
    await common(entry);
    await entry.getByRole('link', { name: 'Til Mine videomøte' }).waitFor();
    await look(entry, 'patient-from-patient-entry');

    console.log(`lkt-summary screenshots:\n${shots.join('\n')}`);
    expect(a11y.failures()).toBe('');
    await Promise.all(contexts.map((c) => c.close()));
  }, 300_000);
});
