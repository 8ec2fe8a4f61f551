import { useEffect, useState } from 'react';
import type { SessionTokenResponse } from '@samkons/shared';
import { getIdentifiedSession, useApi } from '../../api/session';
import { isApiError } from '../../api/errors';
import { instantInMessage } from './checks';

export type InviteState =
  | { status: 'checking' }
  | { status: 'ok'; session: SessionTokenResponse }
  | { status: 'not_open'; opensAt: Date | null }
  | { status: 'cancelled' }
  | { status: 'expired' }
  /** The link alone is not enough: log in with the patient eID (ID-porten) first. */
  | { status: 'identify' }
  | { status: 'error'; error: unknown };

/** One exchange per token per page load, even when StrictMode runs the effect twice. */
const exchanges = new Map<string, Promise<SessionTokenResponse>>();

/** A session from an eID login for this link (JoinCallbackPage stored it), when still valid. */
const identified = (token: string): InviteState | null => {
  const session = getIdentifiedSession(token);
  return session ? { status: 'ok', session } : null;
};

/**
 * Exchanges the invite token from the link for a session token (once per token). When the
 * person has already identified with the eID for this link, that session is used instead.
 */
export function useInvite(token: string): InviteState {
  const api = useApi();
  const [state, setState] = useState<InviteState>(
    () => identified(token) ?? { status: 'checking' },
  );
  useEffect(() => {
    const known = identified(token);
    if (known) {
      setState(known);
      return;
    }
    let live = true;
    setState({ status: 'checking' });
    let exchange = exchanges.get(token);
    if (!exchange) {
      exchange = api.exchangeInvite(token);
      exchanges.set(token, exchange);
      exchange.catch(() => exchanges.delete(token));
    }
    exchange
      .then((session) => live && setState({ status: 'ok', session }))
      .catch((error: unknown) => {
        if (!live) return;
        if (!isApiError(error)) return setState({ status: 'error', error });
        // The server says "forbidden" before the link opens, "invalid_state" when cancelled,
        // "unauthenticated" for an expired, revoked or tampered link, and
        // "identification_required" when the person must log in with the eID.
        if (error.code === 'identification_required') return setState({ status: 'identify' });
        if (error.code === 'forbidden') {
          return setState({ status: 'not_open', opensAt: instantInMessage(error.message) });
        }
        if (error.code === 'invalid_state') return setState({ status: 'cancelled' });
        if (
          error.code === 'unauthenticated' ||
          error.code === 'not_found' ||
          error.code === 'bad_request'
        ) {
          return setState({ status: 'expired' });
        }
        setState({ status: 'error', error });
      });
    return () => {
      live = false;
    };
  }, [api, token]);
  return state;
}
