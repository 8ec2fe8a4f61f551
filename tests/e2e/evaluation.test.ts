import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import type { Consultation, SessionTokenResponse } from '@samkons/shared';
import { loadConfig } from '../../server/src/config.js';
import { buildApp } from '../../server/src/app.js';
import { migrate, openPglite, type Database } from '../../server/src/db/index.js';
import { consultationsRepo } from '../../server/src/db/consultations-repo.js';
import { createDomainServices } from '../../server/src/booking/services.js';
import { seedDemoData } from '../../server/src/demo/seed.js';
import { createReports } from '../../server/src/reports/index.js';
import { injectAxe } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { buildClient } from '../support/client-build.js';
import { apiCall, demoSpecialistToken, loginAsDemoSpecialist } from '../support/journey.js';

/**
 * Evaluation end to end in Chromium: the demo specialist (reporting grant) sees the dashboard,
 * today's demo consultation is completed (status changes, as the live session will make
 * them), the patient answers the survey in bokmål from their invitation session, and the
 * dashboard totals change to the formula's figures. Screenshot: test-results/evaluation/.
 *
 * The server runs in this process (real app, built client, PGlite) so the test can make the
 * status changes directly: no HTTP route completes a consultation yet.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/evaluation/', import.meta.url));

let db: Database;
let app: FastifyInstance;
let url: string;
let browser: Browser;
let staffToken: string;

const api = <T>(path: string, token: string | null, body?: unknown) =>
  apiCall<T>(url, path, token, body);

async function todaysConsultation(): Promise<Consultation> {
  const from = new Date(Date.now() - 3600_000).toISOString();
  const to = new Date(Date.now() + 6 * 3600_000).toISOString();
  const { consultations } = await api<{ consultations: Consultation[] }>(
    `/consultations?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    staffToken,
  );
  const c = consultations.find((x) => x.participants.some((p) => p.role === 'patient'));
  if (!c) throw new Error('no demo consultation with a patient today');
  return c;
}

const figure = (page: Page, id: string) =>
  page.getByTestId(`figure-${id}`).locator('.reports__figure-value');

beforeAll(async () => {
  const clientDist = await buildClient();
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'e2e-secret-that-is-long-enough-0123456789',
    CLIENT_DIST: clientDist,
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
  });
  db = await openPglite('memory://');
  await migrate(db);
  const domain = createDomainServices(config, db);
  await seedDemoData(db, domain);
  const reports = await createReports(db);
  await reports.grantReportingByUsername(['spesialist']);
  app = await buildApp({
    config,
    domain,
    reports: { reports, authenticate: (h) => domain.auth.authenticate(h) },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  staffToken = await demoSpecialistToken(url);
  browser = await launchChromium();
  await mkdir(ARTEFACTS, { recursive: true });
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await db?.close();
});

describe('evaluation', () => {
  it('completing a consultation and answering the survey changes the dashboard', async () => {
    const staff = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await staff.newPage();
    await loginAsDemoSpecialist(page, url);
    await page.getByRole('link', { name: 'Evaluering' }).click();
    await page.getByRole('heading', { level: 1, name: /Evaluering/ }).waitFor();
    await expect.poll(() => figure(page, 'sessions').textContent()).toBe('0');

    // The patient joined with the invitation link (session token) before the meeting.
    const c = await todaysConsultation();
    const patient = c.participants.find((p) => p.role === 'patient')!;
    const invite = await api<{ token: string }>(
      `/consultations/${c.id}/participants/${patient.id}/invite`,
      staffToken,
      {},
    );
    const session = await api<SessionTokenResponse>('/invites/exchange', null, {
      token: invite.token,
    });
    // The live session ends the consultation (status changes), then the patient answers.
    await consultationsRepo.update(db, c.id, { status: 'in_progress' });
    await consultationsRepo.update(db, c.id, { status: 'completed' });

    const patientContext = await browser.newContext({ viewport: { width: 800, height: 1000 } });
    await patientContext.addInitScript(
      ([key, value]) => {
        localStorage.setItem('samkons.lang', 'nb');
        // Where the pre-join page keeps the invitation's session (client/src/api/session.tsx).
        sessionStorage.setItem(key as string, value as string);
      },
      [`samkons.room.${c.id}`, JSON.stringify(session)] as const,
    );
    const form = await patientContext.newPage();
    await form.goto(`${url}/survey/${c.id}`);
    await form.getByRole('heading', { level: 1, name: 'Hvordan var videomøtet?' }).waitFor();
    const questions = form.locator('fieldset.survey__question');
    await expect.poll(() => questions.count()).toBe(5);
    await questions.nth(0).getByLabel('5 – helt enig').check();
    await questions.nth(1).getByLabel('4 – litt enig').check();
    await questions.nth(2).getByLabel('5 – helt enig').check();
    await questions.nth(4).getByLabel('5 – helt enig').check();
    await form.getByLabel('Vil du fortelle mer? (valgfritt)').fill('Slapp å reise til Bergen.');

    await injectAxe(form);
    const violations = await form.evaluate(async () => {
      const axe = (
        window as unknown as {
          axe: { run: (d: Document) => Promise<{ violations: { id: string; impact: string }[] }> };
        }
      ).axe;
      return (await axe.run(document)).violations;
    });
    expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')).toEqual([]);

    await form.getByRole('button', { name: 'Send svar' }).click();
    await form.getByTestId('survey-thanks').waitFor();
    // A second answer is refused: the form says it is already answered.
    await form.reload();
    await form.getByText('Du har allerede svart').waitFor();

    // Patient 92 km and next of kin 60 km each way, by car (booking): 304 km round trips.
    await page.reload();
    await expect.poll(() => figure(page, 'sessions').textContent()).toBe('1');
    expect(await figure(page, 'km').textContent()).toBe('304 km');
    expect(await figure(page, 'co2').textContent()).toBe('36,5 kg CO2');
    expect(await figure(page, 'cost').textContent()).toBe('760 kr');
    expect(await figure(page, 'survey').textContent()).toBe('4,75 av 5');
    await expect
      .poll(() => page.getByTestId('figure-km').locator('.reports__formula').textContent())
      .toContain('= 304 km');
    await expect.poll(() => page.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(0);
    await page.screenshot({ path: path.join(ARTEFACTS, 'dashboard.png'), fullPage: true });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Last ned CSV' }).click(),
    ]);
    const csv = await readFile((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[1]).toMatch(/^total,all,1,[\d.]+,5,[\d.]+,2,304,/);

    await patientContext.close();
    await staff.close();
  });
});
