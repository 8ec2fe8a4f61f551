import { rm } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { buildClient } from '../support/client-build.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { TEST_METRICS_TOKEN } from '../support/health.js';
import { sampleValue } from '../support/prometheus.js';

/**
 * The Content-Security-Policy (helmet, server/src/http/content-security-policy.ts) holds
 * and the app still works under it in Chromium: pages load, two people in a call see each
 * other's video, and no CSP violation reaches the console or the page. The node's
 * /metrics counts the browsers' producers and consumers meanwhile.
 */

let server: ServerProcess;
let browser: Browser;
let clientDist: string;

beforeAll(async () => {
  clientDist = await buildClient();
  server = await startServerProcess({ CLIENT_DIST: clientDist, SIGNALLING_DEV_ROOMS: 'true' });
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (clientDist) await rm(clientDist, { recursive: true, force: true });
});

/** A page that records every CSP violation (console reports and the DOM event). */
async function watchedPage(): Promise<{ page: Page; violations: string[] }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.exposeFunction('__reportCsp', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __reportCsp: (v: string) => void }).__reportCsp;
      report(`${e.violatedDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
  return { page, violations };
}

describe('Content-Security-Policy', () => {
  it('is sent with the pages: scripts from this origin only, no framing', async () => {
    const res = await fetch(`${server.url}/`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toMatch(/connect-src 'self'/);
    expect(csp).not.toContain('unsafe-eval');
  });

  it('lets a call work in Chromium with no violation', async () => {
    const people = await Promise.all(['Ane', 'Bjørn'].map(() => watchedPage()));
    await people[0]!.page.goto(`${server.url}/`);
    await people[0]!.page.waitForSelector('#root *', { timeout: 30_000 });
    await Promise.all(
      people.map(({ page }, i) => page.goto(`${server.url}/room/e2e-csp?name=P${i}`)),
    );
    for (const { page } of people) {
      await page.waitForFunction(
        () => {
          const video = document.querySelector<HTMLVideoElement>(
            '[data-testid="remote-participant"] video',
          );
          return video !== null && video.videoWidth > 0;
        },
        null,
        { timeout: 60_000 },
      );
    }
    // The real browsers' media, as the node's metrics count it.
    const res = await fetch(`${server.url}/metrics`, {
      headers: { authorization: `Bearer ${TEST_METRICS_TOKEN}` },
    });
    const text = await res.text();
    expect(sampleValue(text, 'samkons_producers', { worker: '0', kind: 'video' })).toBe(2);
    expect(sampleValue(text, 'samkons_consumers', { worker: '0', kind: 'video' })).toBe(2);
    expect(sampleValue(text, 'samkons_peers')).toBe(2);

    expect(people.flatMap((p) => p.violations)).toEqual([]);
    for (const { page } of people) await page.context().close();
  });
});
