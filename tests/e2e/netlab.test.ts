import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { waitForFirstRemoteFrame } from '../support/journey.js';
import { netLabAvailable } from '../support/netlab.js';
import { useNetStage } from '../support/net-stage.js';
import {
  inboundWindows,
  statsSamplerScript,
  markStats,
  readStats,
  saveStats,
  between,
} from '../support/stats-sampler.js';

/*
 * The network-fault rig with real browsers: Chromium inside a namespace joins a call on the
 * server's veth address, the in-page sampler records what arrives, and the link's rate and
 * UDP block act on the media while the call runs.
 */

const available = netLabAvailable();
if (!available.ok) console.warn(`network rig e2e not run: ${available.reason}`);

const ARTEFACTS = 'test-results/netlab';
const ROOM = 'e2e-netlab';

describe.runIf(available.ok)('a browser behind a shaped link', () => {
  const stage = useNetStage({ artefacts: ARTEFACTS, linkName: 'patient' });

  async function open(browser: Browser, name: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1000, height: 700 } });
    await context.addInitScript(statsSamplerScript(500));
    const page = await context.newPage();
    await page.goto(`${stage().server.url}/room/${ROOM}?name=${encodeURIComponent(name)}`);
    return page;
  }

  it('carries a call, holds what arrives to the rate, and drops blocked UDP', async () => {
    const [host, patient] = await Promise.all([
      open(stage().outside, 'Spesialist Sol'),
      open(stage().inside, 'Pasient Pål'),
    ]);
    await Promise.all([waitForFirstRemoteFrame(host), waitForFirstRemoteFrame(patient)]);

    // Clean link: the patient's page receives audio and video over UDP.
    await expect
      .poll(async () => inboundWindows(await readStats(patient), 'video').at(-1)?.kbps ?? 0, {
        timeout: 15_000,
      })
      .toBeGreaterThan(50);

    // 300 kbit/s downlink: whatever the sender does, no more than that reaches the page.
    const cut = await markStats(patient, 'rate 300 kbit/s');
    await stage().link.setRate(300, 'down');
    await new Promise((r) => setTimeout(r, 6_000));
    const limited = inboundWindows(between(await readStats(patient), cut + 2_000), 'video');
    const audioLimited = inboundWindows(between(await readStats(patient), cut + 2_000), 'audio');
    expect(limited.length).toBeGreaterThan(3);
    const total = limited.map((w, i) => w.kbps + (audioLimited[i]?.kbps ?? 0));
    // The payload counted by getStats stays under the link rate (headers ride on top).
    expect(Math.max(...total)).toBeLessThan(330);

    // UDP blocked mid-call: the rig drops the media packets (what the call does about it is
    // tests/e2e of the transport recovery's business).
    await stage().link.restore();
    await stage().link.block({ protocol: 'udp' });
    await expect
      .poll(async () => (await stage().link.dropped()).packets, { timeout: 5_000 })
      .toBeGreaterThan(10);

    await stage().link.restore();
    await saveStats(`${ARTEFACTS}/patient-stats.json`, await readStats(patient));
    await saveStats(`${ARTEFACTS}/host-stats.json`, await readStats(host));
  });
});
