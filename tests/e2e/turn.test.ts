import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { IceServers, type IceServer } from '@samkons/shared';
import { startTestServer, type TestServer } from '../support/server.js';
import { startCoturn, type Coturn } from '../support/coturn.js';
import { launchChromium } from '../support/browser.js';
import { book, createStaff, inviteSessionToken, participantId } from '../support/consultation.js';

/** In the page: gathers ICE through the given servers only; true when a relay candidate appears. */
function gathersRelayCandidate(page: Page, iceServers: IceServer[]): Promise<boolean> {
  return page.evaluate(async (servers) => {
    const pc = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
    pc.createDataChannel('turn-check');
    const relay = new Promise<boolean>((resolve) => {
      pc.onicecandidate = (e) => resolve(e.candidate ? e.candidate.type === 'relay' : false);
    });
    await pc.setLocalDescription(await pc.createOffer());
    const found = await relay;
    pc.close();
    return found;
  }, iceServers);
}

describe('TURN credentials against a real coturn', () => {
  let coturn: Coturn;
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    coturn = await startCoturn();
    server = await startTestServer({
      domain: true,
      env: { TURN_URLS: coturn.url, TURN_SECRET: coturn.secret },
    });
    browser = await launchChromium();
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await coturn?.close();
  });

  async function iceServersFor(authorization?: string) {
    return server.app.inject({
      method: 'GET',
      url: '/api/ice-servers',
      headers: authorization ? { authorization } : {},
    });
  }

  it('refuses callers without a session', async () => {
    const res = await iceServersFor();
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('unauthenticated');
  });

  it('hands out credentials coturn accepts, and a tampered one gets no relay', async () => {
    const services = server.domain!.services;
    const specialist = await createStaff(server.app, services, 'specialist');
    const consultation = await book(server.app, specialist, [
      {
        role: 'patient',
        name: 'Pasient Per',
        joinsFrom: 'home',
        travelDistanceKm: 90,
        birthDate: '1950-05-17',
      },
    ]);
    // The patient, who joins by invite link from home, is who needs TURN most.
    const patient = participantId(consultation, { role: 'patient' });
    const token = await inviteSessionToken(server.app, specialist, consultation.id, patient);

    const res = await iceServersFor(`Bearer ${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const { iceServers } = IceServers.parse(res.json());
    expect(iceServers[0]?.urls).toEqual([coturn.url]);

    expect(await gathersRelayCandidate(page, iceServers)).toBe(true);

    const tampered = iceServers.map((s) => ({ ...s, credential: `x${s.credential ?? ''}` }));
    expect(await gathersRelayCandidate(page, tampered)).toBe(false);
  });
});
