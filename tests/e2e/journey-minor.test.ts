import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Consultation, InviteLink } from '@samkons/shared';
import { browserStageForFile } from '../support/stage.js';
import {
  apiCall,
  loginAsDemoSpecialist,
  participantContext,
  remoteVideosDecoding,
  screenshotter,
} from '../support/journey.js';

/**
 * A patient under 16 waits in the lobby until a guardian has consented: the host's admit is
 * refused with "waiting for consent" until then. Screenshots: test-results/journey-minor/.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/journey-minor/', import.meta.url));

const stage = browserStageForFile({
  // The demo seed books the specialist for the next hour: this test books two hours out.
  env: { INVITE_OPENS_MINUTES_BEFORE: '300' },
  artefacts: ARTEFACTS,
});

const api = <T>(path: string, token: string, body?: unknown) =>
  apiCall<T>(stage.server.url, path, token, body);
const context = () => participantContext(stage.browser, { viewport: { width: 1000, height: 760 } });

describe('patient under 16', () => {
  it('is admitted only after a guardian has consented', async () => {
    const shot = screenshotter(ARTEFACTS);
    const hostContext = await context();
    const host = await hostContext.newPage();
    const token = await loginAsDemoSpecialist(host, stage.server.url);
    const start = new Date(Math.ceil((Date.now() + 3 * 3600_000) / 900_000) * 900_000);
    const c = await api<Consultation>('/consultations', token, {
      kind: 'follow_up',
      title: 'Kontroll: astma',
      startsAt: start.toISOString(),
      endsAt: new Date(start.getTime() + 30 * 60_000).toISOString(),
      documentingOrganisation: 'Helse Bergen',
      participants: [
        {
          role: 'patient',
          name: 'Ola Ung',
          birthDate: `${new Date().getUTCFullYear() - 13}-01-20`,
          joinsFrom: 'home',
          travelDistanceKm: 60,
        },
        {
          role: 'next_of_kin',
          name: 'Mor Ung',
          isGuardian: true,
          joinsFrom: 'home',
          travelDistanceKm: 60,
        },
      ],
    });
    const link = async (role: string) => {
      const p = c.participants.find((x) => x.role === role)!;
      const l = await api<InviteLink>(
        `/consultations/${c.id}/participants/${p.id}/invite`,
        token,
        {},
      );
      return new URL(l.joinUrl, stage.server.url).toString();
    };

    // Without consent nobody but the consent holder may take part: the host waits too.
    await host.goto(`${stage.server.url}/consultations/${c.id}`);
    await host.getByRole('button', { name: 'Gå til videomøtet' }).click();
    // Staff check their devices on the same pre-join as everyone else, then go in.
    await host.getByRole('heading', { level: 1, name: 'Før du går inn i møtet' }).waitFor();
    await host.getByRole('button', { name: 'Gå inn i møtet' }).click();
    await host.getByTestId('waiting-screen').waitFor();
    const childContext = await context();
    const child = await childContext.newPage();
    await child.goto(await link('patient'));
    await child.getByRole('button', { name: 'Gå inn i møtet' }).click();
    // No consent step for the child: the guardian decides.
    await child.getByTestId('waiting-screen').waitFor();
    await expect
      .poll(() => child.getByTestId('waiting-reason').textContent())
      .toBe('Vi ventar på samtykke frå pasienten eller verja.');
    await shot(child, '01-child-waiting-for-consent');
    await shot(host, '02-host-waiting-for-consent');

    // The guardian consents from her own link: the host goes in and admits the child.
    const guardianContext = await context();
    const guardian = await guardianContext.newPage();
    await guardian.goto(await link('next_of_kin'));
    await guardian.getByRole('button', { name: 'Gå inn i møtet' }).click();
    await guardian.getByText('Du svarar for Ola Ung, som er under 16 år.').waitFor();
    await shot(guardian, '03-guardian-consent');
    expect(await child.getByTestId('waiting-screen').count()).toBe(1);
    await guardian.getByRole('button', { name: 'Eg samtykkjer', exact: true }).click();
    await guardian.getByTestId('waiting-screen').waitFor();

    await host.waitForSelector('[data-testid="room-page"]', { timeout: 10_000 });
    await host.getByRole('button', { name: 'Deltakarar' }).click();
    const lobby = host.getByTestId('lobby-list');
    const admit = lobby.getByRole('button', { name: 'Slepp inn Ola Ung' });
    await admit.waitFor();
    await shot(host, '04-host-lobby');
    await expect.poll(() => admit.getAttribute('aria-disabled'), { timeout: 5_000 }).toBe('false');
    await admit.click();
    await child.getByTestId('room-page').waitFor();
    await remoteVideosDecoding(child, 1);
    await shot(child, '05-child-in-call');
    console.log(`journey-minor screenshots:\n${shot.paths.join('\n')}`);
    await Promise.all([hostContext, childContext, guardianContext].map((x) => x.close()));
  });
});
