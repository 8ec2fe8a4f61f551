import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { axeSeriousViolations, describeViolations } from '../support/axe.js';
import { buildClient } from '../support/client-build.js';
import { apiCall, demoSpecialistToken, loginAsDemoSpecialist } from '../support/journey.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { SCREEN_SIZES } from '../support/screens.js';

/**
 * The pages around the call as a person meets them, in real Chromium against the built
 * client and the real server (demo data):
 * - a link to a cancelled meeting says "Møtet er avlyst", an unknown or revoked one says
 *   the link does not work, BEFORE any camera: getUserMedia is never called;
 * - the pre-join of an open link puts the meeting (what, when in nynorsk, with whom) and the
 *   join button first, the device checks folded below when all is fine;
 * - the consultation page puts the patient first, in nynorsk dates;
 * - screenshots at 1280×800, 1024×768 and 390×844 with axe on each.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/prejoin-pages/', import.meta.url));
const NYNORSK_WEEKDAY = /(måndag|tysdag|onsdag|torsdag|fredag|laurdag|sundag)/;
const BOKMAL_WEEKDAY = /(mandag|tirsdag|lørdag|søndag)/;

let server: ServerProcess;
let browser: Browser;
let staffToken: string;

type DemoConsultation = {
  id: string;
  status: string;
  startsAt: string;
  participants: { id: string; role: string; name: string }[];
};

const api = <T>(p: string, token: string | null, body?: unknown) =>
  apiCall<T>(server.url, p, token, body);

async function demoConsultations(): Promise<DemoConsultation[]> {
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 30 * 86400_000).toISOString();
  const { consultations } = await api<{ consultations: DemoConsultation[] }>(
    `/consultations?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    staffToken,
  );
  return consultations
    .filter((c) => c.status === 'booked' && c.participants.some((p) => p.role === 'patient'))
    .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
}

async function inviteToken(c: DemoConsultation, role = 'patient'): Promise<string> {
  const p = c.participants.find((x) => x.role === role)!;
  const invite = await api<{ token: string }>(
    `/consultations/${c.id}/participants/${p.id}/invite`,
    staffToken,
    {},
  );
  return invite.token;
}

/** A context that counts getUserMedia calls (window.__gumCalls) from the first script on. */
async function countingContext(viewport: { width: number; height: number }) {
  const context = await browser.newContext({
    viewport,
    permissions: ['camera', 'microphone'],
  });
  await context.addInitScript(() => {
    const w = window as unknown as { __gumCalls: number };
    w.__gumCalls = 0;
    const md = navigator.mediaDevices;
    if (!md) return;
    const original = md.getUserMedia.bind(md);
    md.getUserMedia = (c?: MediaStreamConstraints) => {
      w.__gumCalls += 1;
      return original(c);
    };
  });
  return context;
}
const gumCalls = (page: Page) =>
  page.evaluate(() => (window as unknown as { __gumCalls: number }).__gumCalls);

async function lookAt(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTEFACTS, `${name}.png`), fullPage: true });
  const violations = await axeSeriousViolations(page);
  expect(violations, `${name}\n${describeViolations(violations)}`).toEqual([]);
}

beforeAll(async () => {
  await mkdir(ARTEFACTS, { recursive: true });
  const dist = await buildClient();
  server = await startServerProcess({ CLIENT_DIST: dist, DEMO_DATA: 'true' });
  browser = await launchChromium();
  staffToken = await demoSpecialistToken(server.url);
}, 400_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('a link that cannot bring anyone in says so before any camera', () => {
  it('cancelled: "Møtet er avlyst", and getUserMedia is never called', async () => {
    const list = await demoConsultations();
    // Not today's (the next test opens it): a later one, cancelled now.
    const later = list[list.length - 1]!;
    const token = await inviteToken(later);
    await api(`/consultations/${later.id}/cancel`, staffToken, { reason: 'Legen er sjuk' });

    const context = await countingContext({ width: 1024, height: 768 });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/join/${token}`);
      await page.getByRole('heading', { level: 1, name: 'Møtet er avlyst' }).waitFor();
      const closed = page.getByTestId('link-closed');
      expect(await closed.getAttribute('data-state')).toBe('cancelled');
      // Plain words only: no raw server text, no device check, no join button.
      const text = await page.locator('main').innerText();
      expect(text).not.toMatch(/consultation|cancelled|enter:|invitation/i);
      expect(await page.getByRole('button', { name: 'Gå inn i møtet' }).count()).toBe(0);
      expect(await page.locator('video').count()).toBe(0);
      expect(await gumCalls(page)).toBe(0);
      await lookAt(page, 'closed-cancelled-tablet');
    } finally {
      await context.close();
    }
  });

  it('unknown or revoked link: "Lenkja verkar ikkje" / no camera', async () => {
    const context = await countingContext({ width: 390, height: 844 });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}/join/dette-er-ikkje-ei-lenkje`);
      await page.getByTestId('link-closed').waitFor();
      const heading = await page.getByRole('heading', { level: 1 }).innerText();
      expect(heading).toMatch(/^(Lenkja verkar ikkje|Lenkja har gått ut)$/);
      expect(await gumCalls(page)).toBe(0);
      expect(await page.locator('video').count()).toBe(0);
      await lookAt(page, 'closed-unknown-phone');
    } finally {
      await context.close();
    }
  });
});

describe('pre-join: the meeting and the join button first', () => {
  for (const vp of SCREEN_SIZES) {
    it(`open link at ${vp.width}×${vp.height}`, async () => {
      const today = (await demoConsultations())[0]!;
      const token = await inviteToken(today);
      const context = await countingContext({ width: vp.width, height: vp.height });
      try {
        const page = await context.newPage();
        await page.goto(`${server.url}/join/${token}`);
        await page.getByRole('heading', { level: 1, name: 'Før du går inn i møtet' }).waitFor();
        const join = page.getByRole('button', { name: 'Gå inn i møtet' });
        await join.waitFor();
        // What, when (nynorsk weekday, 24-hour clock) and with whom.
        const meeting = page.locator('.prejoin__meeting');
        await meeting.waitFor();
        const said = await meeting.innerText();
        expect(said).toMatch(NYNORSK_WEEKDAY);
        expect(said).not.toMatch(BOKMAL_WEEKDAY);
        expect(said).toMatch(/kl\. \d\d:\d\d–\d\d:\d\d/);
        expect(said).toMatch(/Kalla inn av /);
        // A link waits for the host, and says so.
        expect(await page.locator('#join-hint').innerText()).toMatch(/venterom/);
        // The join button is on the first screen, above the device checks.
        const box = (await join.boundingBox())!;
        if (vp.name !== 'phone') expect(box.y + box.height).toBeLessThan(vp.height);
        const checks = page.getByTestId('device-checks');
        const checksBox = (await checks.boundingBox())!;
        expect(checksBox.y).toBeGreaterThan(box.y);
        // Folded once every check is fine; no jargon.
        await page.locator('.prejoin__checks summary .check--ok').waitFor({ timeout: 20_000 });
        expect(await checks.evaluate((d) => (d as HTMLDetailsElement).open)).toBe(false);
        expect(await page.content()).not.toContain('TURN');
        await lookAt(page, `prejoin-${vp.name}`);
        // Opened, the checks are all there.
        await checks.locator('summary').click();
        await page.locator('#mic-select, .meter').first().waitFor();
        if (vp.name === 'tablet') await lookAt(page, `prejoin-${vp.name}-checks-open`);
      } finally {
        await context.close();
      }
    });
  }
});

describe('the consultation page', () => {
  for (const vp of SCREEN_SIZES) {
    it(`puts the patient first, dates in nynorsk, at ${vp.width}×${vp.height}`, async () => {
      const context = await browser.newContext({
        viewport: { width: vp.width, height: vp.height },
      });
      try {
        const page = await context.newPage();
        await loginAsDemoSpecialist(page, server.url);
        const today = (await demoConsultations())[0]!;
        await page.goto(`${server.url}/consultations/${today.id}`);
        await page.locator('.consultation__when').waitFor();
        const when = await page.locator('.consultation__when').innerText();
        expect(when).toMatch(NYNORSK_WEEKDAY);
        expect(when).not.toMatch(BOKMAL_WEEKDAY);
        // The first participant named on the page is the patient.
        const patient = today.participants.find((p) => p.role === 'patient')!;
        const firstRow = page.locator('[data-testid="participant-row"]').first();
        expect(await firstRow.innerText()).toContain(patient.name);
        await lookAt(page, `consultation-${vp.name}`);
      } finally {
        await context.close();
      }
    });
  }
});

export type { BrowserContext };
