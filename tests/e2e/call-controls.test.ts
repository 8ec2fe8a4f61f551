import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { TrackSource } from '@samkons/shared';
import { browserStageForFile } from '../support/stage.js';
import {
  admitFromLobby,
  bookCall,
  callJoined,
  expectMediaChange,
  liveCaptures,
  openCall,
} from '../support/call.js';
import {
  allRemotesRising,
  mediaStats,
  remoteVideosDecoding,
  screenshotter,
} from '../support/journey.js';
import { healthDetail } from '../support/health.js';

/**
 * Call controls clicked in the real call UI, with real media between three browsers (fake
 * camera and microphone; the fake screen Chromium gives getDisplayMedia with
 * --use-fake-ui-for-media-stream): the patient turns the camera off and on, two mute their
 * microphones so the third speaks, the specialist shares the screen and stops, then removes
 * the GP. Each step is checked where it matters: on the other pages' tiles and in their
 * decoder counters (frames decoded, audio packets), and, for who gets a short link first,
 * in the bitrate priorities the worker confirmed (the server's `downlink priority` lines).
 *
 * The call is booked over the API and opened straight on the call page (journey.test.ts
 * covers booking, pre-join and consent in the UI). Screenshots: test-results/call-controls/.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/call-controls/', import.meta.url));
const PATIENT = 'Per Pasient';
const GP = 'Frida Fastlege';
const ui = { timeout: 10_000 };

const stage = browserStageForFile({
  // The demo seed books the specialist for the next hour: this test books later.
  // Debug: the downlink adapter's `downlink priority` lines.
  env: { INVITE_OPENS_MINUTES_BEFORE: '300', LOG_LEVEL: 'debug' },
  artefacts: ARTEFACTS,
  // Whoever keeps the microphone on is heard speaking (the active speaker step).
  speech: true,
});

const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });
/** One's own camera in the control bar: a toggle, pressed while on. */
const camera = (page: Page, on: boolean) =>
  page.getByRole('button', { name: 'Kamera', exact: true, pressed: on });
const tileOf = (page: Page, name: string) =>
  page.getByTestId('remote-participant').filter({ hasText: name });
/** One's own microphone in the control bar: a toggle, pressed while on. */
const microphone = (page: Page, on: boolean) =>
  page.getByRole('button', { name: 'Mikrofon', exact: true, pressed: on });

/**
 * The bitrate priority of `receiver`'s stream of `sender`'s `source`, as the worker last
 * confirmed it (server/src/sfu/downlink.ts logs each answer to `setPriority`). None told:
 * mediasoup's default, 1, which the adapter leaves as it is for the others' cameras.
 */
function priorityAt(receiver: string, sender: string, source: TrackSource): number {
  const told = stage.server
    .output()
    .split('\n')
    .filter((l) => l.includes('"downlink priority"'))
    .map((l) => JSON.parse(l) as { peer: string; sender: string; source: string; priority: number })
    .filter((d) => d.peer === receiver && d.sender === sender && d.source === source);
  return told.at(-1)?.priority ?? 1;
}

describe('call controls through the UI', () => {
  it('camera off and on, screen share and stop, host removes a participant', async () => {
    const shot = screenshotter(ARTEFACTS);
    const call = await bookCall(stage.server.url, {
      title: 'Samkonsultasjon: kontrollar',
      hoursAhead: 2,
      invitees: [
        {
          role: 'gp',
          name: GP,
          organisation: 'Knarvik legesenter',
          joinsFrom: 'gp_office',
          travelDistanceKm: 0,
        },
        {
          role: 'patient',
          name: PATIENT,
          birthDate: '1941-03-14',
          joinsFrom: 'home',
          travelDistanceKm: 92,
        },
      ],
    });
    const host = await openCall(stage.browser, stage.server.url, call.host);
    await callJoined(host.page);
    const gp = await openCall(stage.browser, stage.server.url, call.invitees[GP]!);
    await callJoined(gp.page);
    const patient = await openCall(stage.browser, stage.server.url, call.invitees[PATIENT]!);
    await patient.page.getByTestId('waiting-screen').waitFor();
    await admitFromLobby(host.page, PATIENT);
    const pages = { host: host.page, gp: gp.page, patient: patient.page };
    for (const page of Object.values(pages)) await remoteVideosDecoding(page, 2);

    const peerIdOf = async (page: Page, name: string) => {
      const id = await tileOf(page, name).getAttribute('data-peer-id');
      if (!id) throw new Error(`no tile for ${name}`);
      return id;
    };
    const patientPeer = await peerIdOf(pages.host, PATIENT);
    const hostPeer = await peerIdOf(pages.patient, call.host.participant.name);
    const watchers = [pages.host, pages.gp];

    // --- Camera: the patient turns it off ----------------------------------------------
    await camera(pages.patient, true).click();
    await camera(pages.patient, false).waitFor(ui);
    for (const page of watchers) {
      const tile = tileOf(page, PATIENT);
      await tile.getByText('Kameraet er av').waitFor(ui);
      // The initials stand in for the video.
      await tile.locator('.tile__placeholder').waitFor({ state: 'visible', ...ui });
      // No more frames from the patient; the other camera and all audio keep coming.
      await expectMediaChange(page, (before, now) =>
        now.every((s) => {
          const b = before.find((x) => x.peerId === s.peerId);
          if (!b || s.audioPacketsReceived <= b.audioPacketsReceived) return false;
          return s.peerId === patientPeer
            ? s.framesDecoded === b.framesDecoded
            : s.framesDecoded > b.framesDecoded;
        }),
      );
    }
    await shot(pages.host, '01-host-sees-patient-camera-off');

    // --- ... and on again --------------------------------------------------------------
    await camera(pages.patient, false).click();
    await camera(pages.patient, true).waitFor(ui);
    for (const page of watchers) {
      const tile = tileOf(page, PATIENT);
      await expect.poll(() => tile.getByText('Kameraet er av').count(), ui).toBe(0);
      await expect.poll(() => tile.locator('.tile__placeholder').count(), ui).toBe(0);
      await expectMediaChange(page, allRemotesRising);
    }

    // --- The speaker's camera gets a short link first ----------------------------------
    // The specialist and the patient mute: the GP is the one speaking, shown so on the others' tiles, and each of their links serves the GP's camera
    // before the other camera (mediasoup priority 2 against 1).
    const gpPeer = await peerIdOf(pages.host, GP);
    const speaking = (page: Page, name: string) =>
      tileOf(page, name).and(page.locator('.tile--speaking')).waitFor({ timeout: 15_000 });
    const expectPriorities = async (receiver: string, expected: Record<string, number>) =>
      expect
        .poll(
          () =>
            Object.fromEntries(
              Object.keys(expected).map((sender) => [
                sender,
                priorityAt(receiver, sender, 'camera'),
              ]),
            ),
          ui,
        )
        .toEqual(expected);
    for (const page of [pages.host, pages.patient]) {
      await microphone(page, true).click();
      await microphone(page, false).waitFor(ui);
    }
    await speaking(pages.host, GP);
    await speaking(pages.patient, GP);
    await expectPriorities(hostPeer, { [gpPeer]: 2, [patientPeer]: 1 });
    await expectPriorities(patientPeer, { [gpPeer]: 2, [hostPeer]: 1 });
    // The GP stops and the patient speaks: the priorities follow the speaker.
    await microphone(pages.gp, true).click();
    await microphone(pages.gp, false).waitFor(ui);
    await microphone(pages.patient, false).click();
    await microphone(pages.patient, true).waitFor(ui);
    await speaking(pages.host, PATIENT);
    await expectPriorities(hostPeer, { [patientPeer]: 2, [gpPeer]: 1 });
    await expectPriorities(gpPeer, { [patientPeer]: 2, [hostPeer]: 1 });
    for (const page of [pages.gp, pages.host]) {
      await microphone(page, false).click();
      await microphone(page, true).waitFor(ui);
    }

    // --- Screen share: the specialist starts it ----------------------------------------
    await button(pages.host, 'Del skjermen').click();
    await button(pages.host, 'Slutt å dele skjermen').waitFor(ui);
    await pages.host.getByTestId('local-screen').waitFor(ui);
    const others = [pages.gp, pages.patient];
    for (const page of others) {
      // A second video from the specialist: the screen, decoded next to the camera.
      await page.waitForFunction(
        () => {
          const v = document.querySelector('[data-testid="remote-screen"] video');
          return v instanceof HTMLVideoElement && v.videoWidth > 0;
        },
        null,
        ui,
      );
      await expectMediaChange(page, (before, now) => {
        const [b, s] = [before, now].map((x) => x.find((y) => y.peerId === hostPeer));
        return (
          b !== undefined &&
          s !== undefined &&
          s.screenFrameWidth > 0 &&
          s.screenFramesDecoded > b.screenFramesDecoded &&
          s.framesDecoded > b.framesDecoded
        );
      });
    }
    // A shared screen gets the others' links before any camera (priority 3).
    for (const receiver of [gpPeer, patientPeer]) {
      await expect.poll(() => priorityAt(receiver, hostPeer, 'screen'), ui).toBe(3);
    }
    const screenWidth = (await mediaStats(pages.patient)).find(
      (s) => s.peerId === hostPeer,
    )?.screenFrameWidth;
    await shot(pages.patient, '02-patient-sees-screen');

    // --- ... and stops it --------------------------------------------------------------
    await button(pages.host, 'Slutt å dele skjermen').click();
    await button(pages.host, 'Del skjermen').waitFor(ui);
    for (const page of others) {
      await page.getByTestId('remote-screen').waitFor({ state: 'detached', ...ui });
      // The screen consumer is gone; the specialist's camera goes on.
      await expectMediaChange(page, (before, now) => {
        const [b, s] = [before, now].map((x) => x.find((y) => y.peerId === hostPeer));
        return (
          b !== undefined &&
          s !== undefined &&
          s.screenFramesDecoded === 0 &&
          s.framesDecoded > b.framesDecoded
        );
      });
    }

    // --- Removal: the specialist takes the GP out ----------------------------------------
    expect((await liveCaptures(pages.gp)).sort()).toEqual(['audio', 'video']);
    const gpTile = tileOf(pages.host, GP);
    await gpTile.getByTitle(`Handlingar for ${GP}`).click();
    await gpTile.getByRole('button', { name: `Ta ${GP} ut av møtet`, exact: true }).click();
    await pages.gp.locator('[data-testid="end-screen"][data-reason="removed"]').waitFor(ui);
    await pages.gp.getByRole('heading', { level: 1, name: 'Du er teken ut av møtet.' }).waitFor(ui);
    for (const page of [pages.host, pages.patient]) {
      await tileOf(page, GP).waitFor({ state: 'detached', ...ui });
      await expect.poll(() => page.getByTestId('remote-participant').count(), ui).toBe(1);
    }
    // The GP's media is closed, the camera and microphone are released, the SFU holds two
    // peers, and the two left go on.
    await expect.poll(() => liveCaptures(pages.gp), ui).toEqual([]);
    expect(
      await pages.gp.evaluate(
        () =>
          (
            window as unknown as { __samkonsLive?: { getSnapshot(): { phase: string } } }
          ).__samkonsLive?.getSnapshot().phase,
      ),
    ).toBe('ended');
    await expect.poll(async () => (await healthDetail(stage.server.url)).peers, ui).toBe(2);
    for (const page of [pages.host, pages.patient]) {
      await expectMediaChange(
        page,
        (before, now) =>
          now.length === 1 &&
          before.length === 1 &&
          now[0]!.framesDecoded > before[0]!.framesDecoded &&
          now[0]!.audioPacketsReceived > before[0]!.audioPacketsReceived,
      );
    }
    await shot(pages.gp, '03-gp-removed');
    await shot(pages.host, '04-host-after-removal');

    console.log(`call-controls: screen decoded ${screenWidth} px wide; ${shot.paths.join(' ')}`);
    expect(screenWidth).toBeGreaterThan(0);
    await Promise.all([host.context, gp.context, patient.context].map((c) => c.close()));
  });
});
