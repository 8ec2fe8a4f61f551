import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consultation, SessionTokenResponse } from '@samkons/shared';
import { axeLog } from '../support/axe.js';
import { requestsTo, screenshotter } from '../support/journey.js';
import { startEidStage, type EidStage } from '../support/eid-stage.js';
import { ACR_HIGH, type LocalIdp } from '../support/local-idp.js';
import type { ServerProcess } from '../support/server-process.js';

/**
 * The patient's own entry with the patient eID (ID-porten), in real Chromium against the
 * real server process and a real OpenID provider on 127.0.0.1:
 *
 * (a) on the login page, apart from the staff login, "Pasient eller pårørande?" offers
 *     "Logg inn med ID-porten" (axe-clean); the patient logs in and "Mine videomøte" lists
 *     her consultation today (as patient) and one in three days (as next of kin, its button
 *     disabled with when it opens; axe-clean); "Gå til førehandssjekk" leads to the pre-join
 *     of her invite, identified with ID-porten, with the join button, without the link
 *     exchange;
 * (b) after a reload the list is fetched again; "Logg ut" clears the patient token, and
 *     /pasient then sends her to the login page with a message;
 * (c) an ended patient token sends her to the login page with a message;
 * (d) someone booked nowhere sees a plain message whom to contact.
 *
 * Screenshots: test-results/patient-portal/.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/patient-portal/', import.meta.url));
const PATIENT = { name: 'Kari Nordmann', pid: '15058710021', birthDate: '1987-05-15' };
const NOBODY_PID = '31039910007';
const ORGANISER = 'Dr. Ingrid Haukeland';

let stage: EidStage;
let idp: LocalIdp;
let server: ServerProcess;
let today: Consultation;
let later: Consultation;

beforeAll(async () => {
  stage = await startEidStage({
    artefacts: ARTEFACTS,
    // Four logins and a few list and session calls from one address.
    env: { LOGIN_RATE_LIMIT_PER_MINUTE: '100' },
  });
  ({ server, idp } = stage);

  // Starts now and ends before the demo seed's consultation for the same specialist (which
  // starts at least 15 minutes after the server did), so the booking does not clash.
  const start = Date.now();
  today = await stage.book({
    kind: 'co_consultation',
    title: 'Oppfølging hjartesvikt',
    startsAt: new Date(start),
    minutes: 10,
    participants: [
      {
        role: 'patient',
        name: PATIENT.name,
        birthDate: PATIENT.birthDate,
        nationalId: PATIENT.pid,
        joinsFrom: 'home',
        travelDistanceKm: 90,
      },
    ],
  });
  // In three days at 02:00 UTC (clear of the demo seed's daytime bookings): her father's
  // consultation, where she is next of kin.
  const inThreeDays = new Date(start + 3 * 86400_000);
  inThreeDays.setUTCHours(2, 0, 0, 0);
  later = await stage.book({
    kind: 'follow_up',
    title: 'Kontroll for far',
    startsAt: inThreeDays,
    minutes: 30,
    participants: [
      {
        role: 'patient',
        name: 'Per Nordmann',
        birthDate: '1940-01-01',
        joinsFrom: 'home',
        travelDistanceKm: 90,
      },
      {
        role: 'next_of_kin',
        name: PATIENT.name,
        nationalId: PATIENT.pid,
        joinsFrom: 'home',
        travelDistanceKm: 30,
      },
    ],
  });
});

afterAll(async () => {
  await stage?.close();
});

const shot = screenshotter(ARTEFACTS);
const a11y = axeLog();
const scan = a11y.scan;

/** The login page's patient section, and its button. */
async function patientSection(page: Page) {
  await page.goto(`${server.url}/login`);
  const section = page.getByRole('region', { name: 'Pasient eller pårørande?' });
  await section.getByRole('heading', { level: 2, name: 'Pasient eller pårørande?' }).waitFor();
  return { section, button: section.getByRole('button', { name: 'Logg inn med ID-porten' }) };
}

/** Logs in with the patient eID from the login page and waits for "Mine videomøte". */
async function loginAsPatient(page: Page, pid: string): Promise<void> {
  const { button } = await patientSection(page);
  idp.next = { sub: `idp-${pid}`, acr: ACR_HIGH, pid };
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/pasient', { timeout: 30_000 }),
    button.click(),
  ]);
  await page.getByRole('heading', { level: 1, name: 'Mine videomøte' }).waitFor();
}

const meeting = (page: Page, title: string) =>
  page.getByRole('article', { name: title, exact: true });

describe('the patient entry with ID-porten', () => {
  it('(a) logs in from the login page, lists her meetings and reaches the pre-join', async () => {
    const context = await stage.newContext();
    const page = await context.newPage();
    const exchanges = requestsTo(page, '/api/invites/exchange');
    const callbacks = requestsTo(page, '/api/patient/oidc/callback');
    try {
      const { section, button } = await patientSection(page);
      await section.getByText('Har du ikkje lenkja, kan du logge inn med ID-porten').waitFor();
      // The staff login is still there, apart from it.
      await page.locator('#login-username').waitFor();
      await shot(page, '01-login-patient-section');
      await scan(page, '01-login-patient-section');

      // Keyboard: the button is reachable and starts the login with Enter.
      idp.next = { sub: 'kari', acr: ACR_HIGH, pid: PATIENT.pid };
      await button.focus();
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/pasient', { timeout: 30_000 }),
        page.keyboard.press('Enter'),
      ]);
      await page.getByRole('heading', { level: 1, name: 'Mine videomøte' }).waitFor();
      expect(callbacks).toHaveLength(1);

      const first = meeting(page, 'Oppfølging hjartesvikt');
      await first.getByText('Du er med som pasient.').waitFor();
      await first.getByText(`Kalla inn av ${ORGANISER}, Helse Bergen.`).waitFor();
      const second = meeting(page, 'Kontroll for far');
      await second.getByText('Du er med som pårørande.').waitFor();
      // Not open yet: disabled, saying when it opens.
      const notYet = second.getByRole('button', { name: /^Opnar / });
      await notYet.waitFor();
      expect(await notYet.isDisabled()).toBe(true);
      expect(await page.getByRole('button', { name: 'Gå til førehandssjekk' }).count()).toBe(1);
      // In start order.
      const titles = await page.locator('.patient__title').allTextContents();
      expect(titles).toEqual(['Oppfølging hjartesvikt', 'Kontroll for far']);
      // Only the token is kept, and never the national identity number.
      const stored = await page.evaluate(() => sessionStorage.getItem('samkons.patient'));
      expect(stored).toContain('patientToken');
      expect(stored).not.toContain(PATIENT.pid);
      expect(stored).not.toContain('hjartesvikt');
      await shot(page, '02-my-meetings');
      await scan(page, '02-my-meetings');

      const go = first.getByRole('button', { name: 'Gå til førehandssjekk' });
      await Promise.all([
        page.waitForURL(
          (u) => /^\/join\/[^/]+$/.test(u.pathname) && u.pathname !== '/join/callback',
        ),
        go.click(),
      ]);
      const inviteToken = new URL(page.url()).pathname.split('/').pop()!;
      await page.getByRole('button', { name: 'Gå inn i møtet' }).waitFor();
      await page.locator('.prejoin__identity').getByText(`${PATIENT.name}, pasient`).waitFor();
      await page.getByTestId('identified').getByText('Identifisert med ID-porten').waitFor();
      const session = await page.evaluate((token) => {
        const raw = sessionStorage.getItem(`samkons.eid.${token}`);
        return raw ? (JSON.parse(raw) as SessionTokenResponse) : null;
      }, inviteToken);
      expect(session?.assuranceLevel).toBe('high');
      expect(session?.participant).toMatchObject({
        consultationId: today.id,
        id: today.participants.find((p) => p.role === 'patient')!.id,
      });
      // The pre-join used the eID session: the link alone was never tried.
      expect(exchanges).toHaveLength(0);
      await shot(page, '03-prejoin-identified');
    } finally {
      await context.close();
    }
  });

  it('(b) fetches the list again after a reload, and "Logg ut" ends the entry', async () => {
    const context = await stage.newContext();
    const page = await context.newPage();
    const lists = requestsTo(page, '/api/patient/consultations');
    try {
      await loginAsPatient(page, PATIENT.pid);
      // The list came with the login.
      expect(lists).toHaveLength(0);
      await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/patient/consultations'),
        page.reload(),
      ]);
      await meeting(page, 'Oppfølging hjartesvikt').waitFor();
      await meeting(page, 'Kontroll for far').waitFor();
      expect(lists).toHaveLength(1);

      await page.getByRole('button', { name: 'Logg ut' }).click();
      await page.waitForURL((u) => u.pathname === '/login');
      expect(await page.evaluate(() => sessionStorage.getItem('samkons.patient'))).toBeNull();
      await page.goto(`${server.url}/pasient`);
      await page.waitForURL((u) => u.pathname === '/login');
      await page
        .getByTestId('patient-notice')
        .getByText('Logg inn med ID-porten for å sjå videomøta dine.')
        .waitFor();
    } finally {
      await context.close();
    }
  });

  it('(c) an ended patient token sends her back to the login page with a message', async () => {
    const context = await stage.newContext();
    const page = await context.newPage();
    try {
      await page.goto(`${server.url}/login`);
      // A token the server no longer accepts (here: not signed by it), still "valid" here.
      await page.evaluate(() =>
        sessionStorage.setItem(
          'samkons.patient',
          JSON.stringify({ patientToken: 'ended.token.x', expiresAt: '2099-01-01T00:00:00Z' }),
        ),
      );
      await page.goto(`${server.url}/pasient`);
      await page.waitForURL((u) => u.pathname === '/login');
      const notice = page.getByTestId('patient-notice');
      await notice.getByText('Innlogginga di med ID-porten er ute.', { exact: false }).waitFor();
      expect(await notice.getAttribute('role')).toBe('status');
      expect(await page.evaluate(() => sessionStorage.getItem('samkons.patient'))).toBeNull();
      await shot(page, '04-patient-token-ended');
      await scan(page, '04-patient-token-ended');
    } finally {
      await context.close();
    }
  });

  it('(d) someone booked nowhere is told whom to contact', async () => {
    const context = await stage.newContext();
    const page = await context.newPage();
    try {
      await loginAsPatient(page, NOBODY_PID);
      const empty = page.getByTestId('patient-empty');
      await empty.getByText('Vi fann ingen videomøte for deg.', { exact: false }).waitFor();
      expect(await empty.textContent()).toContain('ta kontakt med sjukehuset eller legekontoret');
      expect(await page.locator('.patient__meeting').count()).toBe(0);
      await shot(page, '05-no-meetings');
      await scan(page, '05-no-meetings');
    } finally {
      await context.close();
    }
  });

  it('has no serious or critical accessibility violations on the patient entry', () => {
    expect(later.participants.some((p) => p.role === 'next_of_kin')).toBe(true);
    expect(a11y.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['01-login-patient-section', '02-my-meetings']),
    );
    expect(a11y.failures()).toBe('');
    console.log(`patient-portal screenshots:\n${shot.paths.join('\n')}`);
  });
});
