import type { AssuranceLevel, Role, StaffRole } from '@samkons/shared';

/** Who is calling, after the bearer token has been checked against the database. */
export type Principal = StaffPrincipal | ParticipantPrincipal;

/** Health personnel logged in with an account (password or OIDC). */
export interface StaffPrincipal {
  kind: 'staff';
  accountId: string;
  username: string;
  role: StaffRole;
  name: string;
  organisation: string;
  assuranceLevel: AssuranceLevel;
  loginSessionId: string;
}

/** Someone holding a session token bound to one participant of one consultation. */
export interface ParticipantPrincipal {
  kind: 'participant';
  participantId: string;
  consultationId: string;
  role: Role;
  name: string;
  assuranceLevel: AssuranceLevel;
  /** Staff who minted the token from their login; null for invite links. */
  accountId: string | null;
  inviteId: string | null;
}
