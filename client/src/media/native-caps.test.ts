import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import type { HandlerFactory } from 'mediasoup-client/handlers/HandlerInterface';
import { cachingHandlerFactory } from './native-caps.js';

const CHROME = (v: string) =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${v} Safari/537.36`;

/** A tab's sessionStorage. */
function storage(): Storage {
  const items = new Map<string, string>();
  return {
    getItem: (k) => items.get(k) ?? null,
    setItem: (k, v) => void items.set(k, v),
    removeItem: (k) => void items.delete(k),
    clear: () => items.clear(),
    key: (i) => [...items.keys()][i] ?? null,
    get length() {
      return items.size;
    },
  };
}

describe('native RTP capabilities kept for the tab', () => {
  let probes: string[];

  beforeEach(() => {
    probes = [];
    vi.stubGlobal('sessionStorage', storage());
    vi.stubGlobal('navigator', { userAgent: CHROME('139.0.0.0') });
    // The real handler's probe makes peer connections; this one counts the probes.
    const real = Chrome111.createFactory;
    vi.spyOn(Chrome111, 'createFactory').mockImplementation((): HandlerFactory => ({
      ...real(),
      getNativeRtpCapabilities: ({ direction }) => {
        probes.push(direction);
        return Promise.resolve({ codecs: [], headerExtensions: [{ uri: direction }] } as never);
      },
    }));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
  });

  it('probes each direction once; a reloaded page reads what the first found', async () => {
    const first = cachingHandlerFactory()!;
    expect(first.name).toBe('Chrome111');
    const recv = await first.getNativeRtpCapabilities({ direction: 'recvonly' });
    await first.getNativeRtpCapabilities({ direction: 'sendonly' });
    expect(probes).toEqual(['recvonly', 'sendonly']);

    const reloaded = cachingHandlerFactory()!;
    expect(await reloaded.getNativeRtpCapabilities({ direction: 'recvonly' })).toEqual(recv);
    await reloaded.getNativeRtpCapabilities({ direction: 'sendonly' });
    expect(probes).toEqual(['recvonly', 'sendonly']);
  });

  it('probes again when what the tab kept is not what it wrote', async () => {
    const ua = navigator.userAgent;
    for (const junk of [
      '{',
      'null',
      JSON.stringify({ userAgent: ua, caps: null }),
      JSON.stringify({ userAgent: ua, caps: { codecs: 1 } }),
    ]) {
      sessionStorage.setItem('samkons.nativeRtpCaps.Chrome111.recvonly', junk);
      const caps = await cachingHandlerFactory()!.getNativeRtpCapabilities({
        direction: 'recvonly',
      });
      expect(caps.headerExtensions).toEqual([{ uri: 'recvonly' }]);
    }
    expect(probes).toHaveLength(4);
  });

  it('probes again when the browser is another version', async () => {
    await cachingHandlerFactory()!.getNativeRtpCapabilities({ direction: 'recvonly' });
    vi.stubGlobal('navigator', { userAgent: CHROME('140.0.0.0') });
    await cachingHandlerFactory()!.getNativeRtpCapabilities({ direction: 'recvonly' });
    expect(probes).toEqual(['recvonly', 'recvonly']);
  });
});
