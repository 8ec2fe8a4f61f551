import { useEffect, useState } from 'react';
import { z } from 'zod';
import { Consultation } from '@samkons/shared';
import type { ApiClient } from '../../api/client';
import { isApiError } from '../../api/errors';
import { useFeatureApi } from '../../api/session';

/**
 * What an invite link leads to, asked BEFORE anything is opened (no session, no camera):
 * `POST /api/invites/state` (policy stream). Until its shared type lands this is a copy of
 * the announced contract; a server without the route answers 404 and the pre-join falls back
 * to the exchange alone.
 */
export const LinkMeeting = z.object({
  title: z.string().nullable(),
  startsAt: z.string(),
  endsAt: z.string(),
  organiserName: z.string().nullable(),
  organisation: z.string(),
});
export type LinkMeeting = z.infer<typeof LinkMeeting>;

export const LinkStateBody = z.object({
  state: z.enum(['open', 'not_yet_open', 'cancelled', 'ended', 'expired', 'revoked', 'invalid']),
  opensAt: z.string().optional(),
  meeting: LinkMeeting.optional(),
  participantName: z.string().optional(),
  entry: z.enum(['direct', 'lobby']).optional(),
  identification: z.enum(['link', 'eid']).optional(),
});
export type LinkStateBody = z.infer<typeof LinkStateBody>;

/** The states in which the link cannot bring anyone in: the pre-join asks for no camera. */
export const CLOSED_STATES = ['cancelled', 'ended', 'expired', 'revoked', 'invalid'] as const;
export type ClosedState = (typeof CLOSED_STATES)[number];
export const isClosed = (s: LinkStateBody['state']): s is ClosedState =>
  (CLOSED_STATES as readonly string[]).includes(s);

const bind = (api: ApiClient) => ({
  linkState: (token: string) =>
    api.post('/invites/state', { body: { token }, schema: LinkStateBody, auth: false }),
});

export type LinkStateResult =
  | { status: 'checking' }
  | { status: 'known'; body: LinkStateBody }
  /** The server cannot tell (older server): go on with the exchange, which decides. */
  | { status: 'unknown' };

/** The consultation an invite token names (its payload is readable; the server checks it). */
export function consultationIdOf(token: string): string | null {
  try {
    const payload = token.split('.')[1];
    if (!payload) return null;
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as {
      cid?: unknown;
    };
    return typeof json.cid === 'string' ? json.cid : null;
  } catch {
    return null;
  }
}

export function useLinkState(token: string): LinkStateResult {
  const api = useFeatureApi(bind);
  const [state, setState] = useState<LinkStateResult>({ status: 'checking' });
  useEffect(() => {
    let live = true;
    setState({ status: 'checking' });
    api.linkState(token).then(
      (body) => live && setState({ status: 'known', body }),
      (error: unknown) => {
        if (!live) return;
        // A malformed token is refused by validation: the link is simply not valid.
        if (isApiError(error) && (error.code === 'bad_request' || error.code === 'unauthenticated'))
          return setState({ status: 'known', body: { state: 'invalid' } });
        setState({ status: 'unknown' });
      },
    );
    return () => {
      live = false;
    };
  }, [api, token]);
  return state;
}

const bindConsultation = (api: ApiClient) => ({
  consultation: (id: string, token: string | undefined, signal: AbortSignal) =>
    api.get(`/consultations/${encodeURIComponent(id)}`, {
      schema: Consultation,
      signal,
      ...(token ? { token } : {}),
    }),
});

/** A meeting summary from the consultation: organiser, organisation, time. */
export function meetingOf(c: Consultation): LinkMeeting {
  const organiser = c.participants.find((p) => p.accountId === c.organiserId);
  return {
    title: c.title,
    startsAt: c.startsAt,
    endsAt: c.endsAt,
    organiserName: organiser?.name ?? null,
    organisation: organiser?.organisation ?? c.documentingOrganisation,
  };
}

/**
 * The meeting for the summary at the top of the pre-join when the link state did not bring
 * it: read with the session token (or the staff login when no token is given).
 */
export function useMeeting(
  consultationId: string | null,
  token: string | undefined,
  known: LinkMeeting | undefined,
): LinkMeeting | undefined {
  const api = useFeatureApi(bindConsultation);
  const [meeting, setMeeting] = useState<LinkMeeting>();
  useEffect(() => {
    if (known || !consultationId) return;
    const ctl = new AbortController();
    api.consultation(consultationId, token, ctl.signal).then(
      (c) => setMeeting(meetingOf(c)),
      () => undefined,
    );
    return () => ctl.abort();
  }, [api, consultationId, token, known]);
  return known ?? meeting;
}
