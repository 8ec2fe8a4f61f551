import { useEffect, useState } from 'react';
import type { SessionTokenResponse } from '@samkons/shared';
import { useApi } from '../../api/session';
import type { InviteState } from './useInvite';

/** One session token per consultation per page load, even when StrictMode runs effects twice. */
const pending = new Map<string, Promise<SessionTokenResponse>>();

/**
 * A staff member's way into the pre-join: their login mints the session token for this
 * consultation (instead of an invite link). The states are the invite's, so the pre-join
 * renders both the same way.
 */
export function useStaffSession(consultationId: string): InviteState {
  const api = useApi();
  const [state, setState] = useState<InviteState>({ status: 'checking' });
  useEffect(() => {
    let live = true;
    let minting = pending.get(consultationId);
    if (!minting) {
      minting = api.staffSession(consultationId);
      pending.set(consultationId, minting);
      // Settled either way: a later visit (or a retry) asks again for fresh grants.
      const forget = () => pending.delete(consultationId);
      minting.then(forget, forget);
    }
    minting
      .then((session) => live && setState({ status: 'ok', session }))
      .catch((error: unknown) => live && setState({ status: 'error', error }));
    return () => {
      live = false;
    };
  }, [api, consultationId]);
  return state;
}
