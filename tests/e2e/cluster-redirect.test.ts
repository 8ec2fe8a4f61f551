import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { admitFromLobby, bookCall, callJoined, openCall } from '../support/call.js';
import { buildClient } from '../support/client-build.js';
import { mediaStats, remoteVideosDecoding } from '../support/journey.js';
import { createScratchSchema, type ScratchSchema } from '../support/pg-schema.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';

/**
 * Two real nodes (server/src/main.ts processes) on one PostgreSQL schema and one Redis,
 * each with its own PUBLIC_URL, as behind a round-robin load balancer: the host opens the
 * call on node A, which then hosts the session; the patient's call page is served by node
 * B, whose `enter` answers `wrong_node` with A's URL. The client must move its socket to A
 * by itself, wait in A's lobby, be admitted by the host in the UI, and exchange video.
 *
 * PostgreSQL and Redis: SAMKONS_TEST_PG_URL / SAMKONS_TEST_REDIS_URL, else the local
 * defaults infra/test.sh probes; skipped (with the reason logged) only when unreachable.
 */

const pgUrl = process.env.SAMKONS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const redisUrl = process.env.SAMKONS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PATIENT = 'Per Pasient';

/** True when something accepts TCP connections at the URL's host and port (2 s at most). */
function reachable(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || defaultPort) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(2000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const [pgUp, redisUp] = await Promise.all([reachable(pgUrl, 5432), reachable(redisUrl, 6379)]);
const missing = [pgUp ? '' : `PostgreSQL (${pgUrl})`, redisUp ? '' : `Redis (${redisUrl})`]
  .filter(Boolean)
  .join(' and ');
console.log(
  `[cluster-redirect] two nodes on PostgreSQL and Redis: ${
    missing ? `not run (${missing} unreachable)` : 'run'
  }`,
);

if (missing === '')
  describe('a participant on the wrong node follows the redirect', () => {
    const prefix = `samkons-test-redirect-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}:`;
    let clientDist: string | undefined;
    let nodeA: ServerProcess | undefined;
    let nodeB: ServerProcess | undefined;
    let browser: Browser | undefined;
    let schema: ScratchSchema | undefined;

    beforeAll(async () => {
      schema = await createScratchSchema(pgUrl, 't_redirect');

      clientDist = await buildClient();
      const [portA, portB] = [await freePort(), await freePort()];
      const urlA = `http://127.0.0.1:${portA}`;
      const urlB = `http://127.0.0.1:${portB}`;
      const shared = {
        DATABASE_URL: schema.databaseUrl,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        JWT_SECRET: `cluster-redirect-${randomBytes(16).toString('hex')}`,
        CLIENT_DIST: clientDist,
        // The demo seed books the specialist for the next hour: this test books later.
        INVITE_OPENS_MINUTES_BEFORE: '300',
        // Each node's pages may open the other node's socket.io (the redirect crosses origins).
        CLUSTER_ALLOWED_ORIGINS: `${urlA},${urlB}`,
      };
      // One after the other: A migrates the shared schema and seeds the demo specialist.
      nodeA = await startServerProcess({
        ...shared,
        PORT: String(portA),
        PUBLIC_URL: urlA,
        DEMO_DATA: 'true',
      });
      nodeB = await startServerProcess({
        ...shared,
        PORT: String(portB),
        PUBLIC_URL: urlB,
        DEMO_DATA: 'false',
      });
      browser = await launchChromium();
    });

    afterAll(async () => {
      await browser?.close();
      await nodeA?.close();
      await nodeB?.close();
      if (clientDist) await rm(clientDist, { recursive: true, force: true });
      await schema?.drop();
    });

    /** Where the page's signalling socket connects now (test hook). */
    const socketUrl = (page: Page) =>
      page.evaluate(
        () =>
          (window as unknown as { __samkonsMedia?: { signalling: { url: string } } }).__samkonsMedia
            ?.signalling.url,
      );

    it("the patient opens the call on node B and ends up in the host's call on node A", async () => {
      if (!nodeA || !nodeB || !browser) throw new Error('stage not started');
      const [a, b] = [nodeA, nodeB];
      try {
        const call = await bookCall(a.url, {
          title: 'Samkonsultasjon: to nodar',
          hoursAhead: 2,
          invitees: [
            {
              role: 'patient',
              name: PATIENT,
              birthDate: '1941-03-14',
              joinsFrom: 'home',
              travelDistanceKm: 92,
            },
          ],
        });
        // The host opens the session on node A: A claims it in Redis.
        const host = await openCall(browser, a.url, call.host);
        await callJoined(host.page);

        // The patient's page is node B's; B's `enter` answers wrong_node with A's URL.
        const patient = await openCall(browser, b.url, call.invitees[PATIENT]!);
        await patient.page.getByTestId('waiting-screen').waitFor({ timeout: 30_000 });
        expect(new URL(patient.page.url()).origin).toBe(b.url);
        expect(await socketUrl(patient.page)).toBe(a.url);

        await admitFromLobby(host.page, PATIENT);
        await callJoined(patient.page);
        await remoteVideosDecoding(host.page, 1);
        await remoteVideosDecoding(patient.page, 1);

        // Both decode the other's camera and hear them: one call, on node A.
        const hostSees = await mediaStats(host.page);
        const patientSees = await mediaStats(patient.page);
        expect(hostSees).toHaveLength(1);
        expect(patientSees).toHaveLength(1);
        expect(hostSees[0]).toMatchObject({ displayName: PATIENT });
        expect(patientSees[0]).toMatchObject({ displayName: call.host.participant.name });
        // A picture on screen may come before getStats counts its frame (once in CI: 0
        // frames decoded just after the first showed): the counters are polled.
        const flowing = async () =>
          (await Promise.all([mediaStats(host.page), mediaStats(patient.page)]))
            .flat()
            .every((s) => s.framesDecoded > 0 && s.audioPacketsReceived > 0);
        await expect.poll(flowing, { timeout: 10_000 }).toBe(true);
        await host.context.close();
        await patient.context.close();
      } catch (err) {
        const tail = (p: ServerProcess) => p.output().split('\n').slice(-30).join('\n');
        console.error(`node A output:\n${tail(a)}\nnode B output:\n${tail(b)}`);
        throw err;
      }
    });
  });
