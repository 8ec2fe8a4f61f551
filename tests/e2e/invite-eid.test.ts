import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consultation, InviteLink, SessionTokenResponse } from '@samkons/shared';
import { axeLog } from '../support/axe.js';
import { apiCall, loginAsDemoSpecialist, requestsTo, screenshotter } from '../support/journey.js';
import { startEidStage, type EidStage } from '../support/eid-stage.js';
import { ACR_HIGH, type LocalIdp } from '../support/local-idp.js';
import type { ServerProcess } from '../support/server-process.js';

/**
 * The patient eID (ID-porten) on an invite link, in real Chromium against the real server
 * process and a real OpenID provider on 127.0.0.1 (oidc-provider, tests/support/local-idp):
 *
 * (a) a patient booked with a national identity number opens the link, is asked to log in
 *     with ID-porten (axe-clean), logs in as herself and comes back to the pre-join page for
 *     that link with the device check and the join button, identified at level "high"; the
 *     link exchange is not tried again, and joining leads on to the consent step;
 * (b) someone else who logs in with their own eID on that link ends on the callback's error
 *     page ("someone other than the person this invitation is for") without a join button,
 *     and can go back to the invitation;
 * (c) the specialist books through the form: an invalid fødselsnummer is refused in the
 *     form; a valid one (typed with a space) books, and the consultation page marks the
 *     patient "Loggar inn med ID-porten".
 *
 * Screenshots: test-results/invite-eid/.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/invite-eid/', import.meta.url));
const PATIENT = { name: 'Kari Nordmann', pid: '15058710021', birthDate: '1987-05-15' };
/** A valid number, but not the patient's. */
const SOMEONE_ELSE_PID = '01015010033';
/** The patient's number with a wrong last control digit. */
const INVALID_PID = '15058710022';

let stage: EidStage;
let server: ServerProcess;
let idp: LocalIdp;
let staffToken: string;
let consultation: Consultation;
let inviteToken: string;
let joinUrl: string;

beforeAll(async () => {
  stage = await startEidStage({ artefacts: ARTEFACTS });
  ({ server, idp, staffToken } = stage);

  // Starts now and ends before the demo seed's consultation for the same specialist (which
  // starts at least 15 minutes after the server did), so the booking does not clash.
  consultation = await stage.book({
    kind: 'co_consultation',
    title: 'Oppfølging: eID',
    startsAt: new Date(),
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
  const patient = consultation.participants.find((p) => p.role === 'patient')!;
  expect(patient.strongIdentification).toBe(true);
  const link = await apiCall<InviteLink>(
    server.url,
    `/consultations/${consultation.id}/participants/${patient.id}/invite`,
    staffToken,
    {},
  );
  inviteToken = link.token;
  joinUrl = new URL(link.joinUrl, server.url).toString();
});

afterAll(async () => {
  await stage?.close();
});

const shot = screenshotter(ARTEFACTS);
const a11y = axeLog();
const scan = a11y.scan;

/** Opens the invite link and waits for the "log in with ID-porten" step. */
async function openIdentifyStep(page: Page): Promise<void> {
  await page.goto(joinUrl);
  await page.getByRole('heading', { level: 2, name: 'Logg inn med ID-porten først' }).waitFor();
}

describe('invite link with the patient eID (ID-porten)', () => {
  it('(a) the invited patient logs in with ID-porten and reaches the pre-join', async () => {
    const context = await stage.newContext();
    const page = await context.newPage();
    const exchanges = requestsTo(page, '/api/invites/exchange');
    const callbacks = requestsTo(page, '/api/invites/oidc/callback');
    try {
      await openIdentifyStep(page);
      const identify = page.getByTestId('identify');
      await identify
        .getByText('For å verne personvernet ditt må du logge inn med ID-porten')
        .waitFor();
      const button = page.getByRole('button', { name: 'Logg inn med ID-porten' });
      await button.waitFor();
      // Nothing of the device check before the login: no join button, no camera.
      expect(await page.getByRole('button', { name: 'Gå inn i møtet' }).count()).toBe(0);
      expect(await page.locator('#camera-select').count()).toBe(0);
      await shot(page, '01-identify');
      await scan(page, '01-identify');

      // Keyboard: the button is reachable and starts the login with Enter.
      idp.next = { sub: 'kari', acr: ACR_HIGH, pid: PATIENT.pid };
      await button.focus();
      // Out to the provider and back to /join/callback, which returns to this link.
      const [back] = await Promise.all([
        page.waitForResponse((r) => new URL(r.url()).pathname === '/api/invites/oidc/callback', {
          timeout: 30_000,
        }),
        page.keyboard.press('Enter'),
      ]);
      expect(back.status()).toBe(200);
      await page.waitForURL((u) => u.pathname === `/join/${inviteToken}`);

      await page.getByRole('button', { name: 'Gå inn i møtet' }).waitFor();
      await page.locator('.prejoin__identity').getByText(`${PATIENT.name}, pasient`).waitFor();
      await page.locator('#camera-select').waitFor({ state: 'attached' });
      await page.getByTestId('identified').getByText('Identifisert med ID-porten').waitFor();
      const stored = await page.evaluate((token) => {
        const raw = sessionStorage.getItem(`samkons.eid.${token}`);
        return {
          session: raw ? (JSON.parse(raw) as SessionTokenResponse) : null,
          pending: sessionStorage.getItem('samkons.eid.pending'),
        };
      }, inviteToken);
      expect(stored.session?.assuranceLevel).toBe('high');
      expect(stored.session?.participant.name).toBe(PATIENT.name);
      expect(stored.pending).toBeNull();
      // The link was exchanged once (refused: identification required); after the login
      // the pre-join used the eID session instead of trying again. The code went once.
      expect(exchanges).toHaveLength(1);
      expect(callbacks).toHaveLength(1);
      await shot(page, '02-prejoin-identified');
      await scan(page, '02-prejoin-identified');

      // The rest of the flow runs on that session: the patient is asked for consent.
      await page.getByRole('button', { name: 'Gå inn i møtet' }).click();
      await page.getByRole('heading', { level: 1, name: 'Samtykke før møtet' }).waitFor();
      await shot(page, '03-consent');
    } finally {
      await context.close();
    }
  });

  it('(b) someone else logging in on the link is refused, with no way in', async () => {
    const context = await stage.newContext();
    const page = await context.newPage();
    try {
      await openIdentifyStep(page);
      idp.next = { sub: 'someone-else', acr: ACR_HIGH, pid: SOMEONE_ELSE_PID };
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/join/callback', { timeout: 30_000 }),
        page.getByRole('button', { name: 'Logg inn med ID-porten' }).click(),
      ]);
      const alert = page.getByTestId('join-callback-error');
      await alert.waitFor();
      expect(await alert.getAttribute('role')).toBe('alert');
      expect(await alert.textContent()).toContain(
        'Du logga inn som ein annan person enn den invitasjonen gjeld.',
      );
      await page.getByRole('heading', { level: 1, name: 'Du kom ikkje inn' }).waitFor();
      expect(await page.getByRole('button', { name: 'Gå inn i møtet' }).count()).toBe(0);
      expect(
        await page.evaluate((token) => sessionStorage.getItem(`samkons.eid.${token}`), inviteToken),
      ).toBeNull();
      await shot(page, '04-someone-else-refused');
      await scan(page, '04-someone-else-refused');

      // Back to the invitation: the link still asks for ID-porten, it does not let them in.
      await page.getByRole('link', { name: 'Tilbake til invitasjonen' }).click();
      await page.getByRole('button', { name: 'Logg inn med ID-porten' }).waitFor();
      expect(await page.getByRole('button', { name: 'Gå inn i møtet' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('(c) the booking form takes a fødselsnummer and the consultation shows the badge', async () => {
    const context = await stage.newContext();
    const page = await context.newPage();
    try {
      await loginAsDemoSpecialist(page, server.url);
      await page.goto(`${server.url}/consultations/new`);
      await page.getByRole('heading', { level: 1, name: 'Ny konsultasjon' }).waitFor();

      // In two days at 13:00: clear of the demo seed's bookings for the specialist.
      const day = new Date(Date.now() + 2 * 86400_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      await page
        .locator('#f-date')
        .fill(`${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`);
      await page.locator('#f-time').fill('13:00');
      await page.locator('#f-title').fill('Kontroll: eID i skjemaet');

      // Row 1 is the patient; row 2 (GP) is removed.
      await page.getByRole('button', { name: 'Fjern deltakar 2' }).click();
      await page.locator('#f-participants-0-name').fill('Per Pasient');
      await page.locator('#f-participants-0-mobile').fill('912 34 567');
      await page.locator('#f-participants-0-joinsFrom').selectOption('home');
      await page.locator('#f-participants-0-birthDate').fill('1950-01-01');
      const nationalId = page.getByLabel('Fødselsnummer (11 siffer)');
      await nationalId.waitFor();
      expect(await nationalId.getAttribute('aria-describedby')).toContain(
        'f-participants-0-nationalId-hint',
      );
      await page
        .locator('#f-participants-0-nationalId-hint')
        .getByText('må personen logge inn med ID-porten for å kome inn i møtet')
        .waitFor();

      // A wrong control digit: refused in the form, nothing is booked.
      await nationalId.fill(INVALID_PID);
      await page.getByRole('button', { name: 'Bestill konsultasjon' }).click();
      const summary = page.locator('.error-summary');
      await summary.getByText('Skriv eit gyldig fødselsnummer på 11 siffer.').waitFor();
      expect(await summary.getAttribute('role')).toBe('alert');
      expect(await nationalId.getAttribute('aria-invalid')).toBe('true');
      expect(new URL(page.url()).pathname).toBe('/consultations/new');
      await shot(page, '05-booking-invalid-number');
      await nationalId.scrollIntoViewIfNeeded();
      await shot(page, '05b-booking-number-field');
      await scan(page, '05-booking-invalid-number');

      // Valid, typed with a space the way people write it.
      await nationalId.fill('150587 10021');
      await Promise.all([
        page.waitForURL((u) => /^\/consultations\/[0-9a-f-]{36}$/.test(u.pathname)),
        page.getByRole('button', { name: 'Bestill konsultasjon' }).click(),
      ]);
      await page.getByText('Konsultasjonen er bestilt.').waitFor();
      const patientRow = page.getByRole('row', { name: /Per Pasient/ });
      await patientRow.getByText('Loggar inn med ID-porten').waitFor();
      // The specialist (staff) row has no badge.
      expect(await page.getByText('Loggar inn med ID-porten', { exact: true }).count()).toBe(1);
      await patientRow.scrollIntoViewIfNeeded();
      await shot(page, '06-consultation-badge');

      const id = new URL(page.url()).pathname.split('/').pop()!;
      const booked = await apiCall<Consultation>(server.url, `/consultations/${id}`, staffToken);
      const patient = booked.participants.find((p) => p.role === 'patient')!;
      expect(patient.strongIdentification).toBe(true);
      // The number itself never comes back from the API.
      expect(JSON.stringify(booked)).not.toContain('15058710021');
    } finally {
      await context.close();
    }
  });

  it('has no serious or critical accessibility violations on the eID pages', () => {
    expect(a11y.steps.map((s) => s.step)).toEqual(
      expect.arrayContaining(['01-identify', '04-someone-else-refused']),
    );
    expect(a11y.failures()).toBe('');
    console.log(`invite-eid screenshots:\n${shot.paths.join('\n')}`);
  });
});
