import { existsSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import puppeteer, { type Browser } from 'puppeteer-core';

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * Preferences for a headless Firefox on a closed network: fake camera and microphone
 * without a prompt, autoplay allowed, getUserMedia also on plain-http rig addresses, and
 * nothing phoning home.
 */
export const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  // No sound device on these machines: without it Web Audio stays suspended (silence).
  'media.cubeb.force_mock_context': true,
  // The rig's pages are http on a non-localhost address.
  'media.devices.insecure.enabled': true,
  'media.getusermedia.insecure.enabled': true,
  // The server may announce a loopback address (tests on 127.0.0.1).
  'media.peerconnection.ice.loopback': true,
  'app.update.enabled': false,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
};

/**
 * Launches the Debian `firefox-esr` (install it with `bash infra/setup.sh --test`) through
 * puppeteer-core over WebDriver BiDi; nothing is downloaded.
 */
export async function launchFirefox(
  opts: { prefs?: Record<string, unknown> } = {},
): Promise<Browser> {
  if (!existsSync(FIREFOX_PATH)) {
    throw new Error(`${FIREFOX_PATH} is missing: run \`apt-get install -y firefox-esr\``);
  }
  return puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    protocol: 'webDriverBiDi',
    extraPrefsFirefox: { ...FIREFOX_PREFS, ...opts.prefs },
    timeout: 60_000,
  });
}

/**
 * The IPv4 address this machine sends from on its default route (a connected UDP socket
 * sends nothing), or undefined without one. Firefox gathers host candidates on that
 * address only and pairs none with a loopback candidate, so a server that announces
 * 127.0.0.1 is unreachable from it: Firefox tests put the media on this address instead.
 */
export async function defaultRouteAddress(): Promise<string | undefined> {
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(9, '198.51.100.1', () => resolve());
    });
    const { address } = socket.address();
    return address === '0.0.0.0' ? undefined : address;
  } catch {
    return undefined;
  } finally {
    socket.close();
  }
}
