import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { axeSeriousViolations, describeViolations } from '../support/axe.js';
import { buildClient } from '../support/client-build.js';
import { apiCall, demoSpecialistToken } from '../support/journey.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Accessibility in real Chromium against the built client served by the real server (demo
 * data, embedded PGlite): axe-core finds no serious or critical violations on the login and
 * pre-join pages in nynorsk, bokmål and English (and with large text + high contrast), and
 * a staff member can log in with the keyboard alone, seeing a visible focus at every stop.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/accessibility/', import.meta.url));
const LANGUAGES = ['nn', 'nb', 'en'] as const;
type Lang = (typeof LANGUAGES)[number];

/** What each page's <h1> says, per language (from client/src/i18n). */
const HEADINGS: Record<Lang, { login: string; prejoin: string; consultations: string }> = {
  nn: {
    login: 'Logg inn',
    prejoin: 'Før du går inn i møtet',
    consultations: 'Mine konsultasjonar',
  },
  nb: {
    login: 'Logg inn',
    prejoin: 'Før du går inn i møtet',
    consultations: 'Mine konsultasjoner',
  },
  en: {
    login: 'Log in',
    prejoin: 'Before you join the meeting',
    consultations: 'My consultations',
  },
};

let server: ServerProcess;
let browser: Browser;
let inviteToken: string;

const api = <T>(path: string, token: string | null, body?: unknown) =>
  apiCall<T>(server.url, path, token, body);

/** Today's demo consultation with a patient (open now), and the specialist's access token. */
async function todaysDemoConsultation() {
  const staffToken = await demoSpecialistToken(server.url);
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 6 * 3600_000).toISOString();
  const { consultations } = await api<{
    consultations: { id: string; status: string; participants: { id: string; role: string }[] }[];
  }>(`/consultations?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`, staffToken);
  for (const c of consultations) {
    const patient = c.participants.find((p) => p.role === 'patient');
    if (c.status === 'booked' && patient) {
      return { id: c.id, patientId: patient.id, staffToken };
    }
  }
  throw new Error('no demo consultation with a patient today');
}

/** An invite link token for the patient of today's demo consultation. */
async function patientInviteToken(): Promise<string> {
  const c = await todaysDemoConsultation();
  const invite = await api<{ token: string }>(
    `/consultations/${c.id}/participants/${c.patientId}/invite`,
    c.staffToken,
    {},
  );
  return invite.token;
}

async function newContext(lang: Lang, display?: { largeText: boolean; highContrast: boolean }) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    permissions: ['camera', 'microphone'],
  });
  await context.addInitScript(
    ([l, d]) => {
      localStorage.setItem('samkons.lang', l as string);
      if (d) localStorage.setItem('samkons.display', d as string);
    },
    [lang, display ? JSON.stringify(display) : ''] as const,
  );
  return context;
}

async function openLogin(context: BrowserContext, lang: Lang): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/login`);
  await page.getByRole('heading', { level: 1, name: HEADINGS[lang].login }).waitFor();
  return page;
}

/** Logs the demo specialist in through the form (nynorsk) and waits for their list. */
async function loginAsSpecialist(context: BrowserContext): Promise<Page> {
  const page = await openLogin(context, 'nn');
  await page.locator('#login-username').fill('spesialist');
  await page.locator('#login-password').fill('demo-spesialist');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: HEADINGS.nn.consultations }).waitFor();
  return page;
}

async function openPrejoin(context: BrowserContext, lang: Lang): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${server.url}/join/${inviteToken}`);
  await page.getByRole('heading', { level: 1, name: HEADINGS[lang].prejoin }).waitFor();
  // The invite is exchanged, devices are listed and the network check has finished.
  await page.locator('.prejoin__identity').waitFor();
  await page.locator('#camera-select').waitFor({ state: 'attached' });
  await page.waitForFunction(() => document.querySelectorAll('.check--ok').length >= 2, undefined, {
    timeout: 15_000,
  });
  return page;
}

beforeAll(async () => {
  await mkdir(ARTEFACTS, { recursive: true });
  const dist = await buildClient();
  server = await startServerProcess({ CLIENT_DIST: dist, DEMO_DATA: 'true' });
  browser = await launchChromium();
  inviteToken = await patientInviteToken();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('axe-core finds no serious or critical violations', () => {
  for (const lang of LANGUAGES) {
    it(`login page (${lang})`, async () => {
      const context = await newContext(lang);
      try {
        const page = await openLogin(context, lang);
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
        await page.screenshot({ path: path.join(ARTEFACTS, `login-${lang}.png`), fullPage: true });
        const violations = await axeSeriousViolations(page);
        expect(violations, describeViolations(violations)).toEqual([]);
      } finally {
        await context.close();
      }
    });

    it(`pre-join page (${lang})`, async () => {
      const context = await newContext(lang);
      try {
        const page = await openPrejoin(context, lang);
        expect(await page.evaluate(() => document.documentElement.lang)).toBe(lang);
        await page.screenshot({
          path: path.join(ARTEFACTS, `prejoin-${lang}.png`),
          fullPage: true,
        });
        const violations = await axeSeriousViolations(page);
        expect(violations, describeViolations(violations)).toEqual([]);
      } finally {
        await context.close();
      }
    });
  }

  it('login and pre-join with large text and high contrast (nn)', async () => {
    const context = await newContext('nn', { largeText: true, highContrast: true });
    try {
      const login = await openLogin(context, 'nn');
      expect(await login.evaluate(() => document.documentElement.dataset.contrast)).toBe('high');
      await login.screenshot({
        path: path.join(ARTEFACTS, 'login-nn-contrast.png'),
        fullPage: true,
      });
      const v1 = await axeSeriousViolations(login);
      expect(v1, describeViolations(v1)).toEqual([]);
      const prejoin = await openPrejoin(context, 'nn');
      await prejoin.screenshot({
        path: path.join(ARTEFACTS, 'prejoin-nn-contrast.png'),
        fullPage: true,
      });
      const v2 = await axeSeriousViolations(prejoin);
      expect(v2, describeViolations(v2)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('keyboard only', () => {
  /** Presses Tab and returns what has focus, and whether its focus indicator is visible. */
  async function tab(page: Page, key = 'Tab') {
    await page.keyboard.press(key);
    return page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return { id: '', text: '', visibleFocus: false };
      const style = getComputedStyle(el);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
      return {
        id: el.id,
        text: (el.textContent ?? '').trim(),
        visibleFocus: outline || style.boxShadow !== 'none',
      };
    });
  }

  it('a staff member logs in with Tab, typing and Enter, with a visible focus at every stop', async () => {
    const context = await newContext('nn');
    try {
      const page = await openLogin(context, 'nn');
      await page.bringToFront();

      // First stop: the skip link; Enter moves to the main content.
      const skip = await tab(page);
      expect(skip.text).toBe('Hopp til hovudinnhaldet');
      expect(skip.visibleFocus).toBe(true);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');

      // From the main content, Tab reaches the username field.
      const user = await tab(page);
      expect(user.id).toBe('login-username');
      expect(user.visibleFocus).toBe(true);
      await page.keyboard.type('spesialist');
      const pass = await tab(page);
      expect(pass.id).toBe('login-password');
      expect(pass.visibleFocus).toBe(true);
      await page.keyboard.type('demo-spesialist');
      const submit = await tab(page);
      expect(submit.text).toBe('Logg inn');
      expect(submit.visibleFocus).toBe(true);
      await page.keyboard.press('Enter');

      const heading = page.getByRole('heading', { level: 1, name: HEADINGS.nn.consultations });
      await heading.waitFor();
      // Focus moved to the new page's heading, so a screen reader announces it.
      expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
      await page.screenshot({ path: path.join(ARTEFACTS, 'consultations-nn.png'), fullPage: true });
      const violations = await axeSeriousViolations(page);
      expect(violations, describeViolations(violations)).toEqual([]);

      // Every Tab stop on the page shows a focus indicator (header, list, links).
      const stops: { id: string; text: string; visibleFocus: boolean }[] = [];
      for (let i = 0; i < 15; i++) stops.push(await tab(page));
      const hidden = stops.filter((s) => (s.id || s.text) && !s.visibleFocus);
      expect(hidden).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a wrong password is announced and focused, in plain words', async () => {
    const context = await newContext('en');
    try {
      const page = await openLogin(context, 'en');
      await page.locator('#login-username').focus();
      await page.keyboard.type('spesialist');
      await tab(page);
      await page.keyboard.type('wrong password');
      await page.keyboard.press('Enter');
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect((await alert.textContent())?.trim()).toBe('Wrong username or password.');
      await page.waitForFunction(() => document.activeElement?.getAttribute('role') === 'alert');
    } finally {
      await context.close();
    }
  });

  it('the booking form lists errors, shows a double booking (409) in plain words, and passes axe', async () => {
    const context = await newContext('nn');
    try {
      const page = await loginAsSpecialist(context);

      // Reach the booking form through the main menu with the keyboard.
      await page.getByRole('link', { name: 'Ny konsultasjon', exact: true }).focus();
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Ny konsultasjon' }).waitFor();

      // Submitting the empty form: a focused summary with a link to each field.
      await page.getByRole('button', { name: 'Bestill konsultasjon' }).focus();
      await page.keyboard.press('Enter');
      const summary = page.locator('.error-summary');
      await summary.waitFor();
      await page.waitForFunction(() => document.activeElement?.classList.contains('error-summary'));
      expect(await summary.locator('li').count()).toBeGreaterThan(3);
      await page.screenshot({
        path: path.join(ARTEFACTS, 'booking-errors-nn.png'),
        fullPage: true,
      });
      const v1 = await axeSeriousViolations(page);
      expect(v1, describeViolations(v1)).toEqual([]);

      // Book the specialist at the time of today's demo consultation: 409, shown in words.
      const staffToken = await demoSpecialistToken(server.url);
      const from = new Date(Date.now() - 3600_000).toISOString();
      const to = new Date(Date.now() + 6 * 3600_000).toISOString();
      const { consultations } = await api<{ consultations: { startsAt: string }[] }>(
        `/consultations?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
        staffToken,
      );
      const busy = consultations
        .map((c) => new Date(c.startsAt))
        .find((d) => d.getTime() > Date.now() + 60_000);
      expect(busy, 'a demo consultation later today').toBeDefined();
      const local = await page.evaluate((iso) => {
        const d = new Date(iso);
        const pad = (n: number) => String(n).padStart(2, '0');
        return {
          date: `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`,
          time: `${pad(d.getHours())}:${pad(d.getMinutes())}`,
        };
      }, busy!.toISOString());
      await page.locator('#f-date').fill(local.date);
      await page.locator('#f-time').fill(local.time);
      await page.locator('#f-participants-0-name').fill('Kari Nordmann');
      await page.locator('#f-participants-0-mobile').fill('912 34 567');
      await page.locator('#f-participants-0-joinsFrom').selectOption('home');
      await page.locator('#f-participants-0-travelKm').fill('92');
      await page.locator('#f-participants-0-birthDate').fill('1941-03-02');
      await page.locator('#f-participants-1-name').fill('Dr. Fastlege');
      await page.locator('#f-participants-1-email').fill('fastlege@example.no');
      await page.locator('#f-participants-1-joinsFrom').selectOption('gp_office');
      await page.getByRole('button', { name: 'Bestill konsultasjon' }).focus();
      await page.keyboard.press('Enter');
      // The message names who is busy ("X har alt ein annan avtale ...").
      await page.getByText(/\S har alt ein annan avtale på dette tidspunktet/).waitFor();
      await page.screenshot({
        path: path.join(ARTEFACTS, 'booking-conflict-nn.png'),
        fullPage: true,
      });

      // A free time books, and the consultation page passes axe too.
      const later = new Date(busy!.getTime() + 3 * 86400_000);
      await page
        .locator('#f-date')
        .fill(
          `${later.getFullYear()}-${String(later.getMonth() + 1).padStart(2, '0')}-${String(later.getDate()).padStart(2, '0')}`,
        );
      await page.getByRole('button', { name: 'Bestill konsultasjon' }).focus();
      await page.keyboard.press('Enter');
      await page.getByText('Konsultasjonen er bestilt.').waitFor();
      await page.getByRole('table').waitFor();
      await page.screenshot({ path: path.join(ARTEFACTS, 'consultation-nn.png'), fullPage: true });
      const v2 = await axeSeriousViolations(page);
      expect(v2, describeViolations(v2)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a clinician records a no said out loud on the consultation page, announced and audited', async () => {
    const demo = await todaysDemoConsultation();
    const context = await newContext('nn');
    try {
      const page = await loginAsSpecialist(context);
      await page.goto(`${server.url}/consultations/${demo.id}`);
      const form = page.getByRole('region', { name: 'Registrer munnleg samtykke' });
      await form.waitFor();
      await form.getByLabel('Svaret er gitt av').selectOption(demo.patientId);
      await form.getByRole('button', { name: 'Registrer at svaret er nei' }).click();
      await form.getByRole('status').getByText('Nei-et er registrert.').waitFor();
      await page.screenshot({
        path: path.join(ARTEFACTS, 'verbal-refusal-nn.png'),
        fullPage: true,
      });
      const v = await axeSeriousViolations(page);
      expect(v, describeViolations(v)).toEqual([]);

      // The patient reads in their own log that the specialist wrote down their no.
      const session = await api<{ sessionToken: string }>('/invites/exchange', null, {
        token: inviteToken,
      });
      const { entries } = await api<{ entries: { action: string; actorName: string }[] }>(
        `/consultations/${demo.id}/audit`,
        session.sessionToken,
      );
      expect(entries).toContainEqual(
        expect.objectContaining({
          action: 'consent.record_verbal_refusal',
          actorName: 'Dr. Ingrid Haukeland',
        }),
      );
    } finally {
      await context.close();
    }
  });
});
