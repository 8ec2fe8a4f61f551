import { LiveSession, type JoinChoices } from './live-session.js';
import { testHooks } from './test-hooks.js';

/**
 * Calls warmed up by the pre-join (socket connected, `welcome` taken, device loaded),
 * waiting for the call page to take them over: the pre-join and the call are two routes
 * of one page, so the warm socket survives the navigation. One per session token.
 */
const prepared = new Map<string, { live: LiveSession; release?: ReturnType<typeof setTimeout> }>();

/** How long a warmed-up call waits for the call page once the pre-join has gone. */
const UNCLAIMED_MS = 30_000;

/**
 * Warms up the call for this session token (idempotent): the one call the pre-join makes.
 * Joining later from the call page then takes a single round trip.
 */
export function prepareCall(opts: {
  token: string;
  consultationId: string;
  url?: string;
  /** 'relay' forces media through TURN (`?relay=1`), the warm-up's transports too. */
  iceTransportPolicy?: RTCIceTransportPolicy | undefined;
}): LiveSession {
  const entry = prepared.get(opts.token);
  if (entry) {
    if (entry.release) clearTimeout(entry.release);
    delete entry.release;
    return entry.live;
  }
  const { iceTransportPolicy } = opts;
  const live = new LiveSession({
    auth: { token: opts.token, consultationId: opts.consultationId },
    ...(opts.url ? { url: opts.url } : {}),
    ...(iceTransportPolicy ? { iceTransportPolicy } : {}),
  });
  prepared.set(opts.token, { live });
  // Test builds: the warm media on the pre-join (the call page takes over the same one).
  if (testHooks) window.__samkonsMedia = live.media;
  // A failed warm-up is not an error here: the call page joins the normal way.
  live.prepare().catch(() => undefined);
  return live;
}

/** The warmed-up call for this token, now the caller's (the call page), if there is one. */
export function takePreparedCall(token: string): LiveSession | undefined {
  const entry = prepared.get(token);
  if (!entry) return undefined;
  if (entry.release) clearTimeout(entry.release);
  prepared.delete(token);
  return entry.live;
}

/** The pre-join went away: closed unless the call page takes it over soon. */
export function releasePreparedCall(token: string, afterMs = UNCLAIMED_MS): void {
  const entry = prepared.get(token);
  if (!entry || entry.release) return;
  entry.release = setTimeout(() => {
    if (prepared.get(token) !== entry) return;
    prepared.delete(token);
    entry.live.leave();
  }, afterMs);
}

/**
 * The join button: the warmed-up call for this token joins now, in the click's own task,
 * while the call page renders; the call page takes it over (`takePreparedCall`) and its
 * `start` then changes nothing. False when there is no warmed-up call to join.
 */
export function startPreparedCall(token: string, choices: JoinChoices): boolean {
  const entry = prepared.get(token);
  if (!entry) return false;
  entry.live.start(choices);
  return true;
}
