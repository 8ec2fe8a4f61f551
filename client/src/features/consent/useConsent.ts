import { useCallback, useMemo, useRef } from 'react';
import type { Consent, Consultation, SessionTokenResponse } from '@samkons/shared';
import { useFeatureApi } from '../../api/session';
import { consentEndpoints } from './api';
import { useQuery } from '../../api/useQuery';
import { consentInForce, withoutParticipant } from './model';

export interface ConsentData {
  consultation: Consultation;
  consents: Consent[];
}

/**
 * The consultation and its consents as a live-session participant sees them, plus the
 * consent actions (give, withdraw all, withdraw one person's presence). Token-bound: works
 * for a patient or guardian who joined by link without an account. `initial`: what the
 * pre-join read (features/consent/prefetch.ts), used until this read answers.
 */
export function useConsent(session: SessionTokenResponse, initial?: ConsentData) {
  const api = useFeatureApi(consentEndpoints);
  const id = session.participant.consultationId;
  const token = session.sessionToken;
  // With the pre-join's read, the first read again waits until the call is up: on the way
  // in it would only take the main thread (and a render of the call) from the join.
  const recheckLater = useRef(initial !== undefined);
  const query = useQuery<ConsentData>(
    async (signal) => {
      if (recheckLater.current) {
        recheckLater.current = false;
        await delay(RECHECK_AFTER_MS, signal);
      }
      const [consultation, list] = await Promise.all([
        api.consultationForSession(id, token, signal),
        api.consentsForSession(id, token, signal),
      ]);
      return { consultation, consents: list.consents };
    },
    [api, id, token],
    initial,
  );
  const { data, setData, reload } = query;
  const current = useMemo(() => consentInForce(data?.consents ?? []), [data]);

  const replace = useCallback(
    (updated: Consent, superseded?: Consent) => {
      if (!data) return reload();
      const consents = data.consents
        .map((c) =>
          superseded && c.id === superseded.id ? { ...c, supersededAt: updated.givenAt } : c,
        )
        .filter((c) => c.id !== updated.id);
      setData({ ...data, consents: [...consents, updated] });
    },
    [data, setData, reload],
  );

  const give = useCallback(
    async (coveredParticipantIds: string[], shareHealthInfo: boolean) => {
      const created = await api.giveConsent(
        id,
        { method: 'in_app', coveredParticipantIds, shareHealthInfo },
        token,
      );
      replace(created, current);
      return created;
    },
    [api, id, token, current, replace],
  );

  /** Records the holder's "no" (the hosts are told); any consent in force is unchanged. */
  const refuse = useCallback(async () => {
    await api.refuseConsent(id, {}, token);
  }, [api, id, token]);

  /** Withdraws the whole consent: the server ends the session for everyone. */
  const withdrawAll = useCallback(async () => {
    if (!current) return;
    replace(await api.withdrawConsent(id, current.id, {}, token));
  }, [api, id, token, current, replace]);

  /** Takes one participant's presence out of the consent: the server removes them at once. */
  const withdrawFor = useCallback(
    async (participantId: string) => {
      if (!current) return;
      const created = await api.giveConsent(id, withoutParticipant(current, participantId), token);
      replace(created, current);
    },
    [api, id, token, current, replace],
  );

  return { ...query, current, give, refuse, withdrawAll, withdrawFor };
}

export type ConsentApi = ReturnType<typeof useConsent>;

/** When the pre-join's read is read again (see `useConsent`). */
const RECHECK_AFTER_MS = 3000;

/** Resolves after `ms`, rejects when `signal` aborts first. */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      },
      { once: true },
    );
  });
}
