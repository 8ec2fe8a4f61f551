import type { SessionTokenResponse } from '@samkons/shared';
import type { consentEndpoints } from './api';
import type { ConsentData } from './useConsent';

/** Older than this, the call page reads consent afresh before deciding. */
const FRESH_MS = 120_000;

const prefetched = new Map<string, { data: ConsentData; at: number }>();

/**
 * The pre-join reads the consultation and its consents for a participant who may consent
 * (patient, guardian), so that the call page's consent gate decides at once: otherwise
 * that read is a round trip between the click on join and the join itself. The gate
 * still reads again and follows what it finds.
 */
export function prefetchConsent(
  endpoints: ReturnType<typeof consentEndpoints>,
  session: SessionTokenResponse,
): void {
  if (!session.grants.canConsent) return;
  const id = session.participant.consultationId;
  const token = session.sessionToken;
  Promise.all([
    endpoints.consultationForSession(id, token),
    endpoints.consentsForSession(id, token),
  ])
    .then(([consultation, list]) =>
      prefetched.set(token, { data: { consultation, consents: list.consents }, at: Date.now() }),
    )
    // The call page reads it itself then.
    .catch(() => undefined);
}

/** What the pre-join read for this session token, if it is recent. */
export function prefetchedConsent(token: string): ConsentData | undefined {
  const entry = prefetched.get(token);
  return entry && Date.now() - entry.at < FRESH_MS ? entry.data : undefined;
}
