import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Consultation, InviteLink } from '@samkons/shared';
import { browserStageForFile } from '../support/stage.js';
import { callJoined } from '../support/call.js';
import { axeLog } from '../support/axe.js';
import { SCREEN_SIZES } from '../support/screens.js';
import {
  apiCall,
  demoSpecialistToken,
  loginAsDemoSpecialist,
  loginAsDemoStaff,
  participantContext,
  screenshotter,
} from '../support/journey.js';

/**
 * Issue 10, items 3 and 4, the way people meet them in real Chromium against the real
 * server process (demo accounts: spesialist, fastlege "Dr. Ola Nordhordland"):
 *
 * - the specialist books the GP through the booking form's staff search (so the booking
 *   carries the GP's account), and the GP's own login lists the consultation in "Mine
 *   konsultasjonar", without the organiser's cancel and reschedule panels;
 * - a GP link opened without a staff login says on the pre-join that the holder will wait,
 *   and waits in the lobby until the host lets them in; the organiser's own pre-join does
 *   not say they will wait, and the organiser goes straight in.
 *
 * Screenshots: test-results/staff-links/ (1280×800, 1024×768, 390×844).
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/staff-links/', import.meta.url));
const GP_NAME = 'Dr. Ola Nordhordland';

const stage = browserStageForFile({
  // The demo seed books the specialist and the GP for the next hour: this test books later.
  env: { INVITE_OPENS_MINUTES_BEFORE: '600' },
  artefacts: ARTEFACTS,
});
const shot = screenshotter(ARTEFACTS);
const a11y = axeLog();

describe('staff links and accounts', () => {
  it("the booked GP's own login lists the consultation (booked through the form's staff search)", async () => {
    const context = await participantContext(stage.browser, {
      viewport: { width: 1280, height: 800 },
    });
    const page = await context.newPage();
    try {
      await loginAsDemoSpecialist(page, stage.server.url);
      await page.goto(`${stage.server.url}/consultations/new`);
      await page.getByRole('heading', { level: 1, name: 'Ny konsultasjon' }).waitFor();
      // In two days at 14:00: clear of the demo seed's bookings.
      const day = new Date(Date.now() + 2 * 86400_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      await page
        .locator('#f-date')
        .fill(`${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`);
      await page.locator('#f-time').fill('14:00');
      await page.locator('#f-title').fill('Kontroll: fastlegen med brukar');
      await page.locator('#f-participants-0-name').fill('Per Pasient');
      await page.locator('#f-participants-0-mobile').fill('912 34 567');
      await page.locator('#f-participants-0-joinsFrom').selectOption('home');
      await page.locator('#f-participants-0-birthDate').fill('1950-01-01');

      // Row 2 is the GP: found in the staff directory by part of the name.
      const search = page.getByRole('combobox', { name: 'Finn helsepersonell med brukar' });
      await search.fill('nordhord');
      const option = page.getByRole('option', { name: new RegExp(GP_NAME) });
      await option.waitFor();
      for (const v of SCREEN_SIZES) {
        await page.setViewportSize(v);
        await search.scrollIntoViewIfNeeded();
        await shot(page, `01-staff-search-${v.name}`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      await a11y.scan(page, 'booking-staff-search');
      await option.click();
      await page.getByText(`Knytt til brukaren til ${GP_NAME} (Knarvik legesenter).`).waitFor();
      // The name and organisation come from the account; no e-mail or mobile is needed.
      expect(await page.locator('#f-participants-1-name').inputValue()).toBe(GP_NAME);
      await page.locator('#f-participants-1-joinsFrom').selectOption('gp_office');
      await shot(page, '02-staff-linked');

      await Promise.all([
        page.waitForURL((u) => /^\/consultations\/[0-9a-f-]{36}$/.test(u.pathname)),
        page.getByRole('button', { name: 'Bestill konsultasjon' }).click(),
      ]);
      await page.getByText('Konsultasjonen er bestilt.').waitFor();
      const id = new URL(page.url()).pathname.split('/').pop() ?? '';
      const staffToken = await demoSpecialistToken(stage.server.url);
      const booked = await apiCall<Consultation>(
        stage.server.url,
        `/consultations/${id}`,
        staffToken,
      );
      const gpRow = booked.participants.find((p) => p.role === 'gp');
      expect(gpRow?.accountId).toBeTruthy();
    } catch (e) {
      await context.close();
      throw e;
    }

    // The GP logs in with their own account: the consultation is in their list.
    const gpContext = await participantContext(stage.browser, {
      viewport: { width: 1280, height: 800 },
    });
    const gpPage = await gpContext.newPage();
    try {
      // The list does not come through the first time (a dropped connection): the page says
      // so where the list would be, and "Prøv igjen" fetches it.
      const list = (u: URL) => u.pathname === '/api/consultations';
      await gpPage.route(list, (route) => route.abort('internetdisconnected'));
      await loginAsDemoStaff(gpPage, stage.server.url, 'fastlege');
      const failed = gpPage.getByRole('alert').filter({ hasText: 'Får ikkje kontakt med tenesta' });
      await failed.waitFor();
      for (const v of SCREEN_SIZES) {
        await gpPage.setViewportSize(v);
        await shot(gpPage, `03-gp-mine-failed-${v.name}`);
      }
      await gpPage.setViewportSize({ width: 1280, height: 800 });
      await gpPage.unroute(list);
      await failed.getByRole('button', { name: 'Prøv igjen' }).click();
      const entry = gpPage.getByRole('link', { name: /Kontroll: fastlegen med brukar/ });
      await entry.waitFor();
      expect(await failed.count()).toBe(0);
      for (const v of SCREEN_SIZES) {
        await gpPage.setViewportSize(v);
        await entry.scrollIntoViewIfNeeded();
        await shot(gpPage, `03-gp-mine-${v.name}`);
      }
      await gpPage.setViewportSize({ width: 1280, height: 800 });
      await a11y.scan(gpPage, 'gp-my-consultations');
      await entry.click();
      await gpPage
        .getByRole('heading', { level: 1, name: 'Kontroll: fastlegen med brukar' })
        .waitFor();
      // A participant, not the organiser: no cancel or reschedule, no other people's links.
      expect(await gpPage.getByRole('heading', { name: 'Avlys konsultasjonen' }).count()).toBe(0);
      await gpPage.getByRole('row', { name: /Per Pasient/ }).waitFor();
      expect(await gpPage.getByRole('button', { name: 'Kopier lenkje' }).count()).toBe(0);
      // Only the organiser names co-organisers.
      expect(await gpPage.getByRole('checkbox', { name: /Medarrangør/ }).count()).toBe(0);
      await shot(gpPage, '04-gp-consultation');

      // The organiser names the GP co-organiser on the consultation page...
      const delegate = page.getByRole('checkbox', { name: `Medarrangør: ${GP_NAME}` });
      expect(await delegate.isChecked()).toBe(false);
      await delegate.check();
      await page.getByText(`${GP_NAME} er no medarrangør.`).waitFor();
      expect(await delegate.isChecked()).toBe(true);
      for (const v of SCREEN_SIZES) {
        await page.setViewportSize(v);
        await delegate.scrollIntoViewIfNeeded();
        await shot(page, `05-delegate-named-${v.name}`);
      }
      await page.setViewportSize({ width: 1280, height: 800 });
      await a11y.scan(page, 'consultation-delegate');
      // ...and the GP now manages the booking: everyone's links, reschedule and cancel.
      await gpPage.reload();
      await gpPage.getByRole('button', { name: 'Kopier lenkje' }).first().waitFor();
      await gpPage.getByRole('heading', { name: 'Avlys konsultasjonen' }).waitFor();
      await gpPage.getByText('Medarrangør', { exact: true }).waitFor();
      await shot(gpPage, '06-gp-as-delegate');

      // Taken back: the GP is a participant again.
      await delegate.uncheck();
      await page.getByText(`${GP_NAME} er ikkje lenger medarrangør.`).waitFor();
      await gpPage.reload();
      await gpPage.getByRole('row', { name: /Per Pasient/ }).waitFor();
      expect(await gpPage.getByRole('button', { name: 'Kopier lenkje' }).count()).toBe(0);
      expect(await gpPage.getByRole('heading', { name: 'Avlys konsultasjonen' }).count()).toBe(0);
    } finally {
      await gpContext.close();
      await context.close();
    }
  });

  it('a GP link opened without a staff login waits in the lobby; the organiser goes straight in', async () => {
    const url = stage.server.url;
    const staffToken = await demoSpecialistToken(url);
    const me = await apiCall<{ account: { id: string } }>(url, '/auth/me', staffToken);
    // A GP booked by name without an account, and the demo GP's account: both get links.
    const start = new Date(Math.ceil((Date.now() + 3 * 3600_000) / 900_000) * 900_000);
    const c = await apiCall<Consultation>(url, '/consultations', staffToken, {
      kind: 'guidance',
      title: 'Rettleiing: fastlegen',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 30 * 60_000).toISOString(),
      documentingOrganisation: 'Helse Bergen',
      participants: [
        {
          role: 'gp',
          name: GP_NAME,
          organisation: 'Knarvik legesenter',
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
          email: 'ola@example.no',
        },
      ],
    });
    expect(c.organiserId).toBe(me.account.id);
    const gp = c.participants.find((p) => p.role === 'gp');
    if (!gp) throw new Error('no GP');
    const link = await apiCall<InviteLink>(
      url,
      `/consultations/${c.id}/participants/${gp.id}/invite`,
      staffToken,
      {},
    );

    // The link holder, not logged in: the pre-join says they will wait, and they do.
    const guestContext = await participantContext(stage.browser, {
      viewport: { width: 1024, height: 768 },
    });
    const hostContext = await participantContext(stage.browser, {
      viewport: { width: 1280, height: 800 },
    });
    try {
      const guest = await guestContext.newPage();
      await guest.goto(new URL(link.joinUrl, url).toString());
      const hint = guest.locator('#join-hint');
      await hint.getByText('Du kjem først til eit venterom').waitFor();
      expect(await hint.getAttribute('data-entry')).toBe('lobby');
      await shot(guest, '05-gp-link-prejoin-tablet');
      await guest.getByRole('button', { name: 'Gå inn i møtet' }).click();
      await guest.getByText('Du ventar på at verten slepper deg inn').waitFor();
      await guest.getByTestId('waiting-screen').waitFor();
      await shot(guest, '06-gp-link-waiting-tablet');

      // The organiser by login: told they go straight in, and they do.
      const host = await hostContext.newPage();
      await loginAsDemoSpecialist(host, url);
      await host.goto(`${url}/consultations/${c.id}/join`);
      const hostHint = host.locator('#join-hint');
      await hostHint.getByText('Du går rett inn i møtet').waitFor();
      expect(await hostHint.getAttribute('data-entry')).toBe('direct');
      expect(await host.getByText('Du kjem først til eit venterom').count()).toBe(0);
      await shot(host, '07-organiser-prejoin');
      await host.getByRole('button', { name: 'Gå inn i møtet' }).click();
      await callJoined(host);

      // The GP still waits until the host lets them in.
      expect(await guest.getByTestId('waiting-screen').isVisible()).toBe(true);
      await host.getByRole('button', { name: /Deltakarar/ }).click();
      await host.getByRole('button', { name: `Slepp inn ${GP_NAME}` }).click();
      await callJoined(guest);
      await shot(guest, '08-gp-link-admitted-tablet');
    } finally {
      await guestContext.close();
      await hostContext.close();
    }
  });

  it('has no serious or critical accessibility violations on the pages above', () => {
    expect(a11y.steps.map((s) => s.step)).toEqual([
      'booking-staff-search',
      'gp-my-consultations',
      'consultation-delegate',
    ]);
    expect(a11y.failures()).toBe('');
  });
});
