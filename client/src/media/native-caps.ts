import { detectDevice, type types } from 'mediasoup-client';
import { Chrome111 } from 'mediasoup-client/handlers/Chrome111';
import { Chrome74 } from 'mediasoup-client/handlers/Chrome74';
import { Firefox120 } from 'mediasoup-client/handlers/Firefox120';
import { Safari12 } from 'mediasoup-client/handlers/Safari12';
import type { HandlerFactory } from 'mediasoup-client/handlers/HandlerInterface';

/** The browser handlers mediasoup-client picks from (its Device does the same by name). */
const FACTORIES: Record<string, () => HandlerFactory> = {
  Chrome111: () => Chrome111.createFactory(),
  Chrome74: () => Chrome74.createFactory(),
  Firefox120: () => Firefox120.createFactory(),
  Safari12: () => Safari12.createFactory(),
};

const KEY = 'samkons.nativeRtpCaps';

/**
 * mediasoup-client's handler for this browser, with its native RTP capabilities kept for
 * the tab (sessionStorage): finding them makes two throwaway peer connections, about
 * 100 ms measured on a loaded machine, which a reloaded call page would spend between
 * `welcome` and `join`. The same browser in the same tab answers the same. Undefined when
 * mediasoup-client knows no handler (its Device then says so itself).
 */
export function cachingHandlerFactory(): HandlerFactory | undefined {
  const name = detectDevice();
  const make = name ? FACTORIES[name] : undefined;
  if (!make) return undefined;
  const base = make();
  return {
    ...base,
    getNativeRtpCapabilities: async (options) => {
      const key = `${KEY}.${base.name}.${options.direction}`;
      const kept = read(key);
      if (kept) return kept;
      const caps = await base.getNativeRtpCapabilities(options);
      write(key, caps);
      return caps;
    },
  };
}

function read(key: string): types.RtpCapabilities | undefined {
  try {
    const raw = sessionStorage.getItem(key);
    if (!raw) return undefined;
    const kept = JSON.parse(raw) as { userAgent?: unknown; caps?: types.RtpCapabilities };
    // A browser updated in place (the tab restored after a restart) may differ; anything
    // not shaped like what `write` keeps is found anew rather than handed to the Device.
    const shaped = Array.isArray(kept?.caps?.codecs) && Array.isArray(kept.caps.headerExtensions);
    return kept.userAgent === navigator.userAgent && shaped ? kept.caps : undefined;
  } catch {
    return undefined;
  }
}

function write(key: string, caps: types.RtpCapabilities): void {
  try {
    sessionStorage.setItem(key, JSON.stringify({ userAgent: navigator.userAgent, caps }));
  } catch {
    // No storage (private mode, full): found anew next time.
  }
}
