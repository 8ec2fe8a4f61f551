import { z } from 'zod';
import { lineText } from './plain-text.js';
import { AssuranceLevel, Role, StaffRole } from './roles.js';
import { SessionGrants } from './grants.js';

export const LoginRequest = z.object({
  username: lineText.trim().min(1).max(100),
  password: lineText.min(1).max(200),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const StaffAccount = z.object({
  id: z.uuid(),
  username: z.string(),
  name: z.string(),
  role: StaffRole,
  organisation: z.string(),
});
export type StaffAccount = z.infer<typeof StaffAccount>;

export const TokenResponse = z.object({
  tokenType: z.literal('Bearer'),
  /** Short-lived JWT for the API (`Authorization: Bearer ...`). */
  accessToken: z.string(),
  expiresIn: z.number().int(),
  /** Opaque, single use: each refresh returns a new one. */
  refreshToken: z.string(),
  refreshExpiresIn: z.number().int(),
  assuranceLevel: AssuranceLevel,
  account: StaffAccount,
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export const RefreshRequest = z.object({ refreshToken: lineText.min(1).max(200) });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

export const MeResponse = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('staff'), account: StaffAccount, assuranceLevel: AssuranceLevel }),
  z.object({
    kind: z.literal('participant'),
    participantId: z.uuid(),
    consultationId: z.uuid(),
    role: Role,
    name: z.string(),
    assuranceLevel: AssuranceLevel,
  }),
]);
export type MeResponse = z.infer<typeof MeResponse>;

export const OidcStartResponse = z.object({ authorizationUrl: z.string() });
export type OidcStartResponse = z.infer<typeof OidcStartResponse>;

/** GET /api/auth/providers: which ways to log in the server offers. */
export const AuthProviders = z.object({
  password: z.boolean(),
  oidc: z.boolean(),
  /** What the login button calls the OpenID provider, e.g. "HelseID". */
  oidcName: z.string().optional(),
  /** Patients and next of kin can identify with an eID (ID-porten) on their invite link. */
  patientOidc: z.boolean(),
  /** What the patient login button calls the eID, e.g. "ID-porten". */
  patientOidcName: z.string().optional(),
});
export type AuthProviders = z.infer<typeof AuthProviders>;

/** Invite link for someone without an account; the token is the last path segment of joinUrl. */
export const InviteLink = z.object({
  inviteId: z.uuid(),
  participantId: z.uuid(),
  consultationId: z.uuid(),
  token: z.string(),
  joinUrl: z.string(),
  validFrom: z.string(),
  validUntil: z.string(),
});
export type InviteLink = z.infer<typeof InviteLink>;

export const InviteExchangeRequest = z.object({ token: lineText.min(1).max(2000) });
export type InviteExchangeRequest = z.infer<typeof InviteExchangeRequest>;

/**
 * POST /api/invites/oidc/start: begin the eID (ID-porten) login for the person an invite
 * link names. The provider sends the browser back to `/join/callback`, whose query goes to
 * GET /api/invites/oidc/callback and returns a SessionTokenResponse.
 */
export const InviteOidcStartRequest = InviteExchangeRequest;
export type InviteOidcStartRequest = InviteExchangeRequest;

/**
 * What entering the live session will be like: `direct` for staff by their own login
 * (password or HelseID; no host needed, though a patient's consent may still be awaited),
 * `lobby` for anyone holding a link, also a GP's or a nurse's: a host lets them in.
 */
export const JoinEntry = z.enum(['direct', 'lobby']);
export type JoinEntry = z.infer<typeof JoinEntry>;

/** A session token: bearer for the API and the live session, bound to one participant. */
export const SessionTokenResponse = z.object({
  entry: JoinEntry,
  sessionToken: z.string(),
  expiresAt: z.string(),
  grants: SessionGrants,
  participant: z.object({
    id: z.uuid(),
    consultationId: z.uuid(),
    role: Role,
    name: z.string(),
  }),
  assuranceLevel: AssuranceLevel,
});
export type SessionTokenResponse = z.infer<typeof SessionTokenResponse>;

/**
 * POST /api/invites/state: what a link leads to, before anything is opened (no session
 * token, no camera). `cancelled`: the booking was cancelled ("Møtet er avlyst"); `ended`:
 * the consultation took place and is over; `not_yet_open`: it opens at `opensAt`;
 * `expired`: its window has passed; `revoked`: the link was withdrawn (a newer link may
 * exist); `invalid`: not a link of this server.
 */
export const InviteLinkState = z.enum([
  'open',
  'not_yet_open',
  'cancelled',
  'ended',
  'expired',
  'revoked',
  'invalid',
]);
export type InviteLinkState = z.infer<typeof InviteLinkState>;

export const InviteStateRequest = InviteExchangeRequest;
export type InviteStateRequest = InviteExchangeRequest;

export const InviteState = z.object({
  state: InviteLinkState,
  /** When the link opens (`not_yet_open`, and `open` for reference). */
  opensAt: z.string().optional(),
  /** The meeting, for every state but `revoked` and `invalid`. */
  meeting: z
    .object({
      title: z.string().nullable(),
      startsAt: z.string(),
      endsAt: z.string(),
      organiserName: z.string().nullable(),
      organisation: z.string(),
    })
    .optional(),
  /** Whom the link names, and how they will enter (`lobby` for every link). */
  participantName: z.string().optional(),
  entry: JoinEntry.optional(),
  /** `eid`: the link alone is not enough, the person logs in with the patient eID. */
  identification: z.enum(['link', 'eid']).optional(),
});
export type InviteState = z.infer<typeof InviteState>;
