import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { SessionTokenResponse } from '@samkons/shared';
import { axeLog } from '../support/axe.js';
import { loginToPatientEntry, startEidStage, type EidStage } from '../support/eid-stage.js';
import {
  loginAsDemoStaff,
  participantContext,
  remoteVideosDecoding,
  screenshotter,
} from '../support/journey.js';
import { callJoined } from '../support/call.js';
import {
  probeReceived,
  recordReceivedMedia,
  useSignatureMedia,
  type ProbeResult,
} from '../support/media-probe.js';
import {
  addDemoGpToCareTeam,
  bookLktMeeting,
  PATIENT_BIRTH_DATE,
  syntheticNationalId,
  NAMES,
  openCallAs as openCall,
  SIGNATURES,
  sortedSet,
  type Who,
} from '../support/lkt.js';

/**
 * The LKT collaboration meeting end to end in Chromium (issue 11, "Done when"): the staff
 * pre-brief while the patient waits ("the meeting will start shortly"); the patient, 14,
 * and her parents come in; the talk with the patient alone, while the parents are in the
 * side room, proven by media: every participant's camera is a colour and their microphone
 * a tone of their own, and the parents' pages decode neither the patient's nor the
 * specialist's picture or sound (nor do their transports receive those bytes) while they
 * see and hear each other and the GP; then everyone is back together and the host writes
 * the plan, which everyone sees at once. The patient is booked with her national identity
 * number: she comes in through the patient entry with ID-porten (a local provider here).
 *
 * Screenshots at 1280x800 and 1024x768 in test-results/lkt-flow/ (looked at by a person);
 * axe on every new view.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/lkt-flow/', import.meta.url));

let stage: EidStage;
beforeAll(async () => {
  stage = await startEidStage({
    artefacts: ARTEFACTS,
    // The demo seed books the specialist for the next hour: this test books two hours out.
    env: { INVITE_OPENS_MINUTES_BEFORE: '300', LOGIN_RATE_LIMIT_PER_MINUTE: '100' },
  });
}, 300_000);
afterAll(async () => {
  await stage?.close();
});

const VIEWPORTS = [
  { width: 1280, height: 800 },
  { width: 1024, height: 768 },
] as const;
type Viewport = { width: number; height: number };

const sorted = sortedSet;

describe('LKT collaboration meeting', () => {
  it('pre-brief, everyone in, a private talk the parents cannot see or hear, all back', async () => {
    const shot = screenshotter(ARTEFACTS);
    const a11y = axeLog();
    /** Both sizes of one view, and axe on it. */
    const look = async (page: Page, name: string) => {
      const original = page.viewportSize();
      for (const v of VIEWPORTS) {
        await page.setViewportSize(v);
        await shot(page, `${name}-${v.width}x${v.height}`);
      }
      if (original) await page.setViewportSize(original);
      await a11y.scan(page, name);
    };

    // --- Booking: a 14-year-old, both parents (guardians), the GP; the kind's agenda ------
    const patientNationalId = syntheticNationalId(PATIENT_BIRTH_DATE);
    const { consultation, agenda, sessions, staffToken } = await bookLktMeeting(stage.server.url, {
      patientNationalId,
    });
    // The GP is on Siri's care team, linked to her login: plan items can be given to her.
    const gpOwner = await addDemoGpToCareTeam(stage.server.url, staffToken, consultation.id);
    expect(agenda.parts.map((p) => p.title)).toEqual([
      'Førebuing',
      'Samtale med pasient og pårørande',
      'Samtale åleine med pasienten',
      'Oppsummering og plan',
    ]);
    const openCallAs = (who: Who, session: SessionTokenResponse, viewport: Viewport) =>
      openCall(stage.browser, stage.server.url, who, session, viewport);

    const open = {} as Record<Who, { context: BrowserContext; page: Page }>;
    const page = (who: Who) => open[who].page;
    onTestFailed(async () => {
      // What each person saw when it went wrong.
      for (const [who, o] of Object.entries(open)) {
        await o.page
          .screenshot({ path: `${ARTEFACTS}/failed-${who}.png`, timeout: 5000 })
          .catch(() => undefined);
      }
    });

    // --- 1. Pre-brief: the host starts the agenda; the GP comes in -------------------------
    open.spec = await openCallAs('spec', sessions.spec, VIEWPORTS[0]);
    await callJoined(page('spec'));
    const bar = page('spec').getByTestId('agenda-bar');
    await expect
      .poll(() => bar.getByTestId('agenda-now').textContent())
      .toBe('Dagsordenen er ikkje starta');
    await bar.getByRole('button', { name: 'Start dagsordenen: Førebuing' }).click();
    await expect.poll(() => bar.getByTestId('agenda-now').textContent()).toBe('No: Førebuing');
    // The GP is health personnel: straight in, also during the pre-brief.
    open.gp = await openCallAs('gp', sessions.gp, VIEWPORTS[0]);
    await callJoined(page('gp'));

    // The patient arrives early, through the patient entry with ID-porten and the pre-join:
    // she waits, told in plain words, and cannot be let in yet.
    const patientContext = await participantContext(stage.browser, { viewport: VIEWPORTS[1] });
    patientContext.setDefaultTimeout(30_000);
    // Real (fake) devices for the pre-join's checks; her signature media in the call.
    await useSignatureMedia(patientContext, SIGNATURES.patient, '/room/');
    await recordReceivedMedia(patientContext);
    open.patient = { context: patientContext, page: await patientContext.newPage() };
    await loginToPatientEntry(stage, page('patient'), patientNationalId);
    await page('patient')
      .getByRole('article', { name: consultation.title ?? '', exact: true })
      .getByRole('button', { name: 'Gå til førehandssjekk' })
      .click();
    await page('patient').getByRole('button', { name: 'Gå inn i møtet' }).click();
    const waiting = page('patient').getByTestId('waiting-screen');
    await waiting.waitFor();
    await expect
      .poll(() => waiting.getByRole('heading', { level: 1 }).textContent())
      .toBe('Møtet startar snart');
    expect(await page('patient').getByTestId('waiting-reason').textContent()).toContain(
      'Helsepersonellet førebur seg',
    );
    await look(page('patient'), '01-patient-meeting-starts-shortly');
    await page('spec').getByRole('button', { name: 'Deltakarar' }).click();
    const held = page('spec')
      .getByTestId('lobby-list')
      .getByText('Ventar til førebuinga er ferdig');
    await held.waitFor();
    expect(
      await page('spec')
        .getByTestId('lobby-list')
        .getByRole('button', { name: `Slepp inn ${NAMES.patient}` })
        .getAttribute('aria-disabled'),
    ).toBe('true');
    await remoteVideosDecoding(page('spec'), 1, 60_000);
    await look(page('spec'), '02-host-pre-brief');
    await page('spec').getByRole('button', { name: 'Lukk', exact: true }).click();

    console.log('lkt-flow: 2 everyone in');
    // --- 2. Everyone in: the parents arrive; the host moves on and all come in by themselves
    open.mother = await openCallAs('mother', sessions.mother, VIEWPORTS[1]);
    open.father = await openCallAs('father', sessions.father, VIEWPORTS[0]);
    await page('mother').getByTestId('waiting-screen').waitFor();
    await page('father').getByTestId('waiting-screen').waitFor();
    await bar
      .getByRole('button', { name: 'Gå vidare til: Samtale med pasient og pårørande' })
      .click();
    const all: Who[] = ['spec', 'gp', 'patient', 'mother', 'father'];
    for (const who of all) {
      await callJoined(page(who));
      await remoteVideosDecoding(page(who), 4, 60_000);
    }
    await expect
      .poll(() => page('mother').getByTestId('agenda-now').textContent())
      .toBe('No: Samtale med pasient og pårørande');
    console.log('lkt-flow: 2 all decoding; probing');
    const together = await probeReceived(page('mother'), SIGNATURES, 2500);
    expect(sorted(together.seen)).toEqual(['father', 'gp', 'patient', 'spec']);
    expect(sorted(together.heard)).toEqual(['father', 'gp', 'patient', 'spec']);
    await look(page('mother'), '03-mother-everyone-together');

    console.log('lkt-flow: 3 private talk');
    // --- 3. The talk with the patient alone; the parents and the GP in the side room ------
    await bar.getByRole('button', { name: 'Gå vidare til: Samtale åleine med pasienten' }).click();
    await expect
      .poll(() => page('father').getByTestId('agenda-bar').getAttribute('data-group'))
      .toBe('side');
    await remoteVideosDecoding(page('patient'), 1, 60_000);
    await remoteVideosDecoding(page('spec'), 1, 60_000);
    for (const who of ['mother', 'father', 'gp'] as const)
      await remoteVideosDecoding(page(who), 2, 60_000);

    const probes = {} as Record<Who, ProbeResult>;
    for (const who of all) probes[who] = await probeReceived(page(who), SIGNATURES, 3000);
    const report = Object.fromEntries(
      all.map((w) => {
        const p = probes[w];
        return [
          w,
          {
            seen: sorted(p.seen),
            heard: sorted(p.heard),
            transportBytes: p.after.transportBytes - p.before.transportBytes,
            inboundBytes: p.after.inboundBytes - p.before.inboundBytes,
          },
        ];
      }),
    );
    console.log(`private part, received per participant: ${JSON.stringify(report, null, 1)}`);
    // The parents: nothing of the patient or the specialist, decoded or not; each other and
    // the GP, seen and heard.
    expect(report.mother?.seen).toEqual(['father', 'gp']);
    expect(report.mother?.heard).toEqual(['father', 'gp']);
    expect(report.father?.seen).toEqual(['gp', 'mother']);
    expect(report.father?.heard).toEqual(['gp', 'mother']);
    expect(report.gp?.seen).toEqual(['father', 'mother']);
    // The private talk: the patient and the specialist only.
    expect(report.patient?.seen).toEqual(['spec']);
    expect(report.patient?.heard).toEqual(['spec']);
    expect(report.spec?.seen).toEqual(['patient']);
    expect(report.spec?.heard).toEqual(['patient']);
    // Packets: every byte the parents' transports received belongs to a stream they are
    // allowed (the patient's and specialist's camera and microphone would be about as much
    // again as the two streams they may receive), and those streams keep flowing.
    for (const who of ['mother', 'father'] as const) {
      const r = report[who]!;
      expect(r.inboundBytes).toBeGreaterThan(10_000);
      expect(r.transportBytes).toBeLessThan(r.inboundBytes * 1.25 + 20_000);
    }
    await look(page('patient'), '04-patient-private-talk');
    await look(page('mother'), '05-mother-side-room');
    await look(page('spec'), '06-host-private-talk');

    console.log('lkt-flow: 4 back together');
    // --- 4. Everyone back together --------------------------------------------------------
    await bar.getByRole('button', { name: 'Gå vidare til: Oppsummering og plan' }).click();
    for (const who of all) await remoteVideosDecoding(page(who), 4, 60_000);
    const back = await probeReceived(page('father'), SIGNATURES, 2500);
    expect(sorted(back.seen)).toEqual(['gp', 'mother', 'patient', 'spec']);
    expect(sorted(back.heard)).toEqual(['gp', 'mother', 'patient', 'spec']);
    // --- 5. The plan, written by the host, seen live by everyone ------------------------------
    const plan = page('spec').getByTestId('live-plan');
    await plan.getByLabel('Kva skal gjerast').fill('Siri prøver den nye inhalatoren i fire veker');
    await plan.getByLabel('Kven har ansvaret').selectOption({ label: 'Pasienten' });
    await plan.getByLabel('Innan (valfritt)').fill('2031-01-31');
    await plan.getByRole('button', { name: 'Legg til i planen' }).click();
    await plan.getByText('Siri prøver den nye inhalatoren i fire veker').waitFor();
    await plan.getByLabel('Kva skal gjerast').fill('Fastlegen kallar inn til astmakontroll');
    await plan.getByLabel('Kven har ansvaret').selectOption({ label: gpOwner });
    await plan.getByLabel('Innan (valfritt)').fill('2031-03-31');
    await plan.getByRole('button', { name: 'Legg til i planen' }).click();
    for (const who of ['patient', 'mother', 'gp'] as const) {
      await page(who)
        .getByTestId('live-plan')
        .getByText('Fastlegen kallar inn til astmakontroll')
        .waitFor();
      await page(who)
        .getByTestId('live-plan')
        .getByText('Siri prøver den nye inhalatoren i fire veker')
        .waitFor();
    }
    await look(page('spec'), '07-host-summary-and-plan');
    await look(page('patient'), '08-patient-sees-the-plan');

    // --- 6. After the session the plan stays; each owner marks their own item done ----------
    await page('spec').getByRole('button', { name: 'Avslutt for alle' }).click();
    await page('spec').getByRole('button', { name: 'Ja, avslutt' }).click();
    await page('patient').locator('[data-testid="end-screen"]').waitFor();
    const PATIENT_ITEM = 'Siri prøver den nye inhalatoren i fire veker';
    const GP_ITEM = 'Fastlegen kallar inn til astmakontroll';
    // Siri, in the patient entry (still logged in with ID-porten), marks hers done.
    await page('patient').goto(`${stage.server.url}/pasient`);
    await page('patient').getByText(GP_ITEM).waitFor();
    await page('patient')
      .getByRole('button', { name: `Merk «${PATIENT_ITEM}» som gjort` })
      .click();
    await page('patient')
      .getByRole('button', { name: `Merk «${PATIENT_ITEM}» som ikkje gjort` })
      .waitFor();
    // Not hers to mark.
    expect(
      await page('patient')
        .getByRole('button', { name: `Merk «${GP_ITEM}» som gjort` })
        .count(),
    ).toBe(0);
    // The GP, logged in with her own account, finds her item in "Mine konsultasjonar".
    const gpContext = await participantContext(stage.browser, { viewport: VIEWPORTS[0] });
    const gpPage = await gpContext.newPage();
    await loginAsDemoStaff(gpPage, stage.server.url, 'fastlege');
    const mine = gpPage.getByRole('region', { name: 'Mine oppgåver og planar' });
    await mine.getByRole('button', { name: `Merk «${GP_ITEM}» som gjort` }).click();
    // Done in her name in that meeting (the GP is booked there as NAMES.gp).
    await mine.getByRole('button', { name: `Merk «${GP_ITEM}» som ikkje gjort` }).waitFor();
    const doneBy = (name: string) =>
      new RegExp(`Gjort \\d\\d\\.\\d\\d\\.\\d{4}, \\d\\d:\\d\\d av ${name}`);
    await mine.getByText(doneBy(NAMES.gp)).waitFor();
    // A due date years ahead says its year.
    await mine.getByText('Innan: måndag 31. mars 2031').waitFor();
    await look(gpPage, '09-gp-marks-her-item-done');
    // Siri sees both done, with who did it.
    await page('patient').reload();
    await page('patient').getByText(doneBy(NAMES.gp)).waitFor();
    await page('patient').getByText(doneBy(NAMES.patient)).waitFor();
    await look(page('patient'), '10-patient-entry-plan-after');
    await gpContext.close();

    console.log(`lkt-flow screenshots:\n${shot.paths.join('\n')}`);
    expect(a11y.failures()).toBe('');
    await Promise.all(all.map((w) => open[w].context.close()));
  }, 480_000);
});
