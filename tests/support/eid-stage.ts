import type { Consultation, NewParticipant } from '@samkons/shared';
import type { BrowserContext, Page } from 'playwright-core';
import { apiCall, demoSpecialistToken } from './journey.js';
import { ACR_HIGH, startLocalIdp, type LocalIdp } from './local-idp.js';
import { freePort } from './server-process.js';
import { startBrowserStage, type BrowserStage } from './stage.js';

const CLIENT_ID = 'samkons-patient-e2e';
const CLIENT_SECRET = 'patient-secret-e2e';

/** A browser stage with the patient eID: a local ID-porten and the demo specialist's login. */
export interface EidStage extends BrowserStage {
  idp: LocalIdp;
  /** The demo specialist's access token, for booking through the API. */
  staffToken: string;
  /** Books a consultation as the demo specialist. */
  book(c: {
    kind: string;
    title: string;
    startsAt: Date;
    minutes: number;
    participants: NewParticipant[];
  }): Promise<Consultation>;
  /** A patient's browser context: 1000×760, camera and microphone allowed. */
  newContext(): Promise<BrowserContext>;
}

/**
 * Starts a local OpenID provider standing in for ID-porten and the real server configured
 * for it (demo data on), with both eID redirect URIs (invite links and the patient entry).
 * The provider must know the redirect URIs before the server starts, so the port is fixed
 * first.
 */
export async function startEidStage(opts: {
  artefacts: string;
  env?: Record<string, string>;
}): Promise<EidStage> {
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const idp = await startLocalIdp([
    {
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      redirectUris: [`${publicUrl}/join/callback`, `${publicUrl}/pasient/callback`],
    },
  ]);
  let stage: BrowserStage;
  try {
    stage = await startBrowserStage({
      env: {
        PORT: String(port),
        PUBLIC_URL: publicUrl,
        JWT_SECRET: 'e2e-eid-jwt-secret-0123456789abcdef0123',
        PATIENT_OIDC_ISSUER: idp.issuer,
        PATIENT_OIDC_CLIENT_ID: CLIENT_ID,
        PATIENT_OIDC_CLIENT_SECRET: CLIENT_SECRET,
        IDENTITY_HASH_SECRET: 'e2e-identity-hash-secret-0123456789abcdef',
        DEMO_DATA: 'true',
        ...opts.env,
      },
      artefacts: opts.artefacts,
    });
  } catch (err) {
    await idp.close();
    throw err;
  }
  let staffToken: string;
  try {
    staffToken = await demoSpecialistToken(stage.server.url);
  } catch (err) {
    await stage.close();
    await idp.close();
    throw err;
  }
  return {
    ...stage,
    newContext: () =>
      stage.browser.newContext({
        viewport: { width: 1000, height: 760 },
        permissions: ['camera', 'microphone'],
      }),
    idp,
    staffToken,
    book: (c) =>
      apiCall<Consultation>(stage.server.url, '/consultations', staffToken, {
        kind: c.kind,
        title: c.title,
        startsAt: c.startsAt.toISOString(),
        endsAt: new Date(c.startsAt.getTime() + c.minutes * 60_000).toISOString(),
        documentingOrganisation: 'Helse Bergen',
        participants: c.participants,
      }),
    async close() {
      await stage.close();
      await idp.close();
    },
  };
}

/** Logs in with the patient eID (the local provider) from the login page; "Mine videomøte". */
export async function loginToPatientEntry(stage: EidStage, page: Page, pid: string): Promise<void> {
  await page.goto(`${stage.server.url}/login`);
  const section = page.getByRole('region', { name: 'Pasient eller pårørande?' });
  stage.idp.next = { sub: `idp-${pid}`, acr: ACR_HIGH, pid };
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/pasient', { timeout: 30_000 }),
    section.getByRole('button', { name: 'Logg inn med ID-porten' }).click(),
  ]);
  await page.getByRole('heading', { level: 1, name: 'Mine videomøte' }).waitFor();
}
