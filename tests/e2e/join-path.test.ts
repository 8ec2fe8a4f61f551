import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserStageForFile } from '../support/stage.js';
import {
  bookCall,
  callJoined,
  openCall,
  RUNNING_CALL,
  runningCallInvitees,
} from '../support/call.js';
import { participantContext, remoteVideosDecoding, screenshotter } from '../support/journey.js';

/**
 * The join path counted in round trips, in real Chromium against the real server: a
 * patient joins a running 3-person call from the pre-join page (which warmed the call up:
 * socket, device, ICE servers, and the transports made and connected), is admitted from the
 * waiting room, reloads the call page, and joins again from the pre-join. Each time the
 * client counts the acks it waited for one after another until the first remote media
 * arrived (client/src/media/signalling-client.ts RoundTrips). Timings are in
 * bench/join-latency.ts; this asserts the counts.
 */

const ARTEFACTS = fileURLToPath(new URL('../../test-results/join-path/', import.meta.url));
const { patient: PATIENT, gp: GP, nurse: NURSE } = RUNNING_CALL;

const stage = browserStageForFile({
  // The demo seed books the specialist for the next hour: this test books later.
  env: { INVITE_OPENS_MINUTES_BEFORE: '300' },
  artefacts: ARTEFACTS,
});

interface JoinFigures {
  roundTrips: number | null;
  waitedInLobby: boolean;
  /** The requests sent since the join (or admission), with their depth: for a failure. */
  sent: { name: string; depth: number }[];
}

const figures = (page: Page): Promise<JoinFigures> =>
  page.evaluate(() => {
    const w = window as unknown as {
      __samkonsMedia?: {
        roundTripsToFirstMedia?: number;
        signalling: { roundTrips: { sentSinceMark: { name: string; depth: number }[] } };
      };
      __samkonsLive?: { waitedInLobby: boolean };
    };
    return {
      roundTrips: w.__samkonsMedia?.roundTripsToFirstMedia ?? null,
      waitedInLobby: w.__samkonsLive?.waitedInLobby ?? false,
      sent: [...(w.__samkonsMedia?.signalling.roundTrips.sentSinceMark ?? [])],
    };
  });

/** The local address of the page's receive transport's ICE route (undefined: not connected). */
const recvRouteAddress = (page: Page): Promise<string | undefined> =>
  page.evaluate(async () => {
    const media = (
      window as unknown as {
        __samkonsMedia?: { iceRoutes(): Promise<{ recv?: { localAddress: string } }> };
      }
    ).__samkonsMedia;
    return (await media?.iceRoutes())?.recv?.localAddress;
  });

/** The page's receive transport has an ICE route (it is connected). */
const recvRoute = async (page: Page): Promise<boolean> =>
  (await recvRouteAddress(page)) !== undefined;

/** How many others `page`'s live session has in the call. */
const othersSeenBy = (page: Page): Promise<number> =>
  page.evaluate(() => {
    const live = (
      window as unknown as {
        __samkonsLive: { getSnapshot(): { selfId?: string; participants: { id: string }[] } };
      }
    ).__samkonsLive.getSnapshot();
    return live.participants.filter((p) => p.id !== live.selfId).length;
  });

/** The host lets `participantId` in through its live session (the People panel is ux's). */
const admit = (host: Page, participantId: string) =>
  host.evaluate(
    (pid) =>
      (
        window as unknown as { __samkonsLive: { admit(id: string): Promise<unknown> } }
      ).__samkonsLive.admit(pid),
    participantId,
  );

/** A page in the waiting room is admitted by the host; one already in the call is left. */
async function inCall(host: Page, page: Page, participantId: string): Promise<void> {
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="waiting-screen"]') !== null ||
      document.querySelector('[data-testid="room-page"]')?.getAttribute('data-state') === 'in-call',
    null,
    { timeout: 30_000 },
  );
  if (await page.getByTestId('waiting-screen').isVisible()) await admit(host, participantId);
  await callJoined(page);
}

describe('the join path', () => {
  it('joins a running call in at most 2 sequential round trips, admission opens it in 1', async () => {
    const shot = screenshotter(ARTEFACTS);
    const { server, browser } = stage;
    const call = await bookCall(server.url, {
      title: 'Samkonsultasjon: rundturar',
      hoursAhead: 2,
      invitees: [...runningCallInvitees()],
    });
    const pid = (name: string) => call.invitees[name]!.participant.id;

    // A running 3-person call.
    const host = await openCall(browser, server.url, call.host);
    await callJoined(host.page);
    const gp = await openCall(browser, server.url, call.invitees[GP]!);
    await inCall(host.page, gp.page, pid(GP));
    const nurse = await openCall(browser, server.url, call.invitees[NURSE]!);
    await inCall(host.page, nurse.page, pid(NURSE));
    await remoteVideosDecoding(host.page, 2);

    // The patient opens the invite link: the pre-join warms the call up meanwhile.
    const context = await participantContext(browser, {
      viewport: { width: 1100, height: 800 },
      joinLabel: 'Gå inn i møtet',
    });
    const page = await context.newPage();
    const prejoin = `${server.url}/join/${call.inviteTokens[PATIENT]}`;
    await page.goto(prejoin);
    await page.getByRole('button', { name: 'Gå inn i møtet' }).click();
    await page.getByTestId('waiting-screen').waitFor({ timeout: 30_000 });
    await shot(page, '01-patient-waiting');
    // The receive transport connects in the waiting room (an ICE route), not at admission.
    await expect.poll(() => recvRoute(page), { timeout: 10_000 }).toBe(true);

    // Admission opens the media on transports connected before (pre-join, waiting room): one round trip,
    // one request (every consumer resumed at once, when the browser has set them all up).
    await admit(host.page, pid(PATIENT));
    await remoteVideosDecoding(page, 3);
    const admitted = await figures(page);
    expect(admitted.waitedInLobby).toBe(true);
    expect(admitted.roundTrips, JSON.stringify(admitted.sent)).not.toBeNull();
    expect(admitted.roundTrips!, JSON.stringify(admitted.sent)).toBeLessThanOrEqual(1);
    const resumes = admitted.sent.filter((s) => s.name.startsWith('resumeConsumer'));
    expect(resumes, JSON.stringify(admitted.sent)).toEqual([{ name: 'resumeConsumers', depth: 1 }]);
    await shot(page, '02-patient-admitted');

    // A reload re-enters directly (admitted earlier in this session), with nobody acting.
    await page.reload();
    await callJoined(page);
    await remoteVideosDecoding(page, 3);
    const reloaded = await figures(page);
    expect(reloaded.waitedInLobby).toBe(false);
    expect(reloaded.roundTrips, JSON.stringify(reloaded.sent)).not.toBeNull();
    expect(reloaded.roundTrips!, JSON.stringify(reloaded.sent)).toBeLessThanOrEqual(2);

    // Back to the pre-join and in again from a warm start: into a running call the pre-join
    // made and connected the transports already (`warmUp`), so the click's join keeps them
    // and only opens the media: no ICE or DTLS after the click. (Once the call has seen the
    // patient leave: a pre-join warms nothing up for someone still in the call.)
    await page.goto('about:blank');
    await expect.poll(() => othersSeenBy(host.page), { timeout: 10_000 }).toBe(2);
    await page.goto(prejoin);
    await page.getByRole('button', { name: 'Gå inn i møtet' }).waitFor();
    await expect.poll(() => recvRoute(page), { timeout: 10_000 }).toBe(true);
    const warmRoute = await recvRouteAddress(page);
    await page.getByRole('button', { name: 'Gå inn i møtet' }).click();
    await callJoined(page);
    await remoteVideosDecoding(page, 3);
    const rejoined = await figures(page);
    expect(rejoined.waitedInLobby).toBe(false);
    expect(rejoined.roundTrips, JSON.stringify(rejoined.sent)).not.toBeNull();
    expect(rejoined.roundTrips!, JSON.stringify(rejoined.sent)).toBeLessThanOrEqual(2);
    // The media arrives on the receive route the pre-join connected: the same local address
    // (a new transport would gather new candidates). The send transport connects when the
    // camera is published (its `connectTransport` may be sent by now): not on this path.
    expect(await recvRouteAddress(page)).toBe(warmRoute);
    expect(rejoined.sent.filter((s) => s.name.startsWith('resumeConsumer'))).toEqual([
      { name: 'resumeConsumers', depth: 1 },
    ]);
    // And everyone sees the patient again.
    for (const p of [host.page, gp.page, nurse.page]) await remoteVideosDecoding(p, 3);
    await shot(page, '03-patient-rejoined');

    console.log('join path round trips', JSON.stringify({ admitted, reloaded, rejoined }));
    for (const c of [context, host.context, gp.context, nurse.context]) await c.close();
  });
});
