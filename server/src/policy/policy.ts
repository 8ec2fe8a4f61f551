import {
  consentHolders,
  isStaffRole,
  type Consent,
  type Consultation,
  type Participant,
  type JoinEntry,
  type SessionGrants,
} from '@samkons/shared';
import type { Principal } from './principal.js';

/**
 * The one place that answers "may this principal do this action" and computes
 * SessionGrants. Routes ask `decide()` or read grants; they never compare role names.
 */
export const Actions = [
  'consultation.create',
  'consultation.list',
  'staff.search',
  'consultation.read',
  'consultation.update',
  'consultation.reschedule',
  'consultation.cancel',
  'participant.add',
  'participant.remove',
  'participant.delegate',
  'invite.create',
  'invite.revoke',
  'invite.ics',
  'session.create',
  'consent.read',
  'consent.give',
  'consent.refuse',
  'consent.recordVerbal',
  'consent.withdraw',
  'audit.read',
  'outbox.read',
  'report.read',
  'survey.answer',
  // LKT collaboration (stream lkt-data): agenda, care team, story, plan, summary, FHIR.
  'agenda.read',
  'agenda.update',
  'careTeam.read',
  'careTeam.update',
  'story.read',
  'story.write',
  'plan.read',
  'plan.write',
  'summary.read',
  'fhir.export',
] as const;
export type Action = (typeof Actions)[number];

export interface PolicyContext {
  consultation?: Consultation;
  /** The consent in force for the consultation, if any. */
  consent?: Consent | undefined;
  /** The participant an action targets (ics download, invite). */
  targetParticipantId?: string;
  /** The staff account holds a reporting grant (evaluation reports, server/src/reports). */
  reportingGrant?: boolean;
  now?: Date;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

const LIVE = new Set(['booked', 'in_progress']);

/** The principal's participant row in this consultation, if they take part. */
export function membership(principal: Principal, c: Consultation): Participant | undefined {
  if (principal.kind === 'staff') {
    return c.participants.find((p) => p.accountId === principal.accountId);
  }
  if (principal.consultationId !== c.id) return undefined;
  return c.participants.find((p) => p.id === principal.participantId);
}

/**
 * How the holder of a session proved who they are. A link identifies a person only as
 * strongly as its holder proved: `login` is a staff member's own account login (password or
 * HelseID) for their own participant row; `link` is anyone holding an invite link, even a
 * GP's or a nurse's, who may have forwarded it.
 */
export type Origin = 'login' | 'link';

/** The origin of a session token: minted from the participant's own staff login, or a link. */
export function originOf(
  participant: Pick<Participant, 'accountId'>,
  tokenAccountId: string | null,
): Origin {
  return tokenAccountId !== null && participant.accountId === tokenAccountId ? 'login' : 'link';
}

/** What the pre-join may promise: straight in (a staff login) or the waiting room. */
export function entryOf(participant: Pick<Participant, 'role'>, origin: Origin): JoinEntry {
  return isStaffRole(participant.role) && origin === 'login' ? 'direct' : 'lobby';
}

/**
 * Grants for one participant, from role, how they proved it, consultation state and consent:
 * - nothing in a cancelled, completed or no-show consultation;
 * - when a patient takes part, everyone except the patient and the consent holders needs
 *   their presence covered by the consent in force to see, hear or be seen (withdrawal
 *   removes it at once);
 * - staff by their own login skip the lobby and admit others; the specialist or organiser
 *   moderates and ends. Staff holding only a link wait for a host and get no host powers.
 */
export function computeGrants(
  participant: Participant,
  c: Consultation,
  consent: Consent | undefined,
  origin: Origin,
  now = new Date(),
): SessionGrants {
  const live = LIVE.has(c.status);
  const staff = isStaffRole(participant.role);
  const proven = staff && origin === 'login';
  const holders = consentHolders(c, now).map((p) => p.id);
  const patientPresent = c.participants.some((p) => p.role === 'patient');
  const selfConsenting = participant.role === 'patient' || holders.includes(participant.id);
  const consented =
    !patientPresent ||
    selfConsenting ||
    (consent !== undefined && consent.coveredParticipantIds.includes(participant.id));
  const media = live && consented;
  const leads = participant.role === 'specialist' || participant.accountId === c.organiserId;
  return {
    consultationId: c.id,
    participantId: participant.id,
    roomJoin: media && proven,
    canPublish: media,
    canSubscribe: media,
    canPublishSources: media
      ? staff
        ? ['camera', 'microphone', 'screen']
        : ['camera', 'microphone']
      : [],
    canAdmit: media && proven,
    canModerate: live && proven && leads,
    canEnd: live && proven && leads,
    canConsent: live && holders.some((h) => h === participant.id),
    canRecordVerbalConsent: live && proven && patientPresent,
  };
}

/** May `principal` do `action`? Consultation-scoped actions need `ctx.consultation`. */
export function decide(principal: Principal, action: Action, ctx: PolicyContext = {}): Decision {
  const now = ctx.now ?? new Date();
  switch (action) {
    case 'consultation.create':
    case 'consultation.list':
    case 'staff.search':
      return principal.kind === 'staff' ? allow : deny('only staff accounts book consultations');
    case 'report.read':
      return principal.kind === 'staff' && ctx.reportingGrant === true
        ? allow
        : deny('needs a staff login with a reporting grant');
    default:
      break;
  }

  const c = ctx.consultation;
  if (!c) return deny('no consultation');
  const me = membership(principal, c);
  if (!me) return deny('not a participant of this consultation');
  // A staff login taking part (care team, FHIR, verbal consent, own session token).
  const staffLogin = principal.kind === 'staff';
  // Booking changes and other people's links: the organiser and named delegates only.
  const manager = managesBooking(principal, c);
  const grants = computeGrants(me, c, ctx.consent, principalOrigin(principal), now);

  switch (action) {
    case 'consultation.read':
    case 'consent.read':
    case 'survey.answer':
    case 'agenda.read':
      return allow;
    case 'agenda.update':
      return isOrganiser(principal, c) ? allow : deny('only the organiser edits the agenda');
    case 'careTeam.read':
      // Health personnel in the call (a session token minted from their login) pick plan
      // owners from the care team, as they would on the consultation page.
      return staffLogin || isStaffCaller(principal) || speaksForPatient(me, c, now)
        ? allow
        : deny('health personnel, the patient and guardians see the care team');
    case 'careTeam.update':
    case 'fhir.export':
      return staffLogin ? allow : deny('needs a staff login taking part in the consultation');
    // Who else reads the story follows the writer's choice: the service filters.
    case 'story.read':
    case 'summary.read':
      return allow;
    case 'story.write':
      return speaksForPatient(me, c, now)
        ? allow
        : deny('only the patient or a guardian writes the story');
    case 'plan.read':
      return me.role !== 'interpreter' ? allow : deny('the interpreter does not keep the plan');
    case 'plan.write':
      return isStaffCaller(principal) && (me.role === 'specialist' || isOrganiser(principal, c))
        ? allow
        : deny('the host (specialist or organiser) writes the plan');
    case 'consultation.update':
    case 'consultation.reschedule':
    case 'consultation.cancel':
    case 'participant.add':
    case 'participant.remove':
    case 'invite.create':
    case 'invite.revoke':
    case 'outbox.read':
      return manager ? allow : deny('only the organiser or a named delegate manages the booking');
    case 'participant.delegate':
      return isOrganiser(principal, c) && staffLogin
        ? allow
        : deny('only the organiser names delegates');
    case 'session.create':
      return staffLogin ? allow : deny('needs a staff login taking part in the consultation');
    case 'invite.ics':
      return manager || ctx.targetParticipantId === me.id
        ? allow
        : deny('participants download only their own invitation');
    // Saying no needs exactly the standing that saying yes does.
    case 'consent.give':
    case 'consent.refuse':
      return grants.canConsent ? allow : deny('only the patient (16+) or a guardian consents');
    case 'consent.recordVerbal':
      return staffLogin && grants.canRecordVerbalConsent
        ? allow
        : deny('only a clinician taking part records verbal consent');
    case 'consent.withdraw':
      // Withdrawing is always possible for the holder, even after the meeting.
      return consentHolders(c, now).some((h) => h.id === me.id) ||
        (staffLogin && grants.canRecordVerbalConsent)
        ? allow
        : deny('only the patient, a guardian or a recording clinician withdraws consent');
    case 'audit.read':
      return me.role === 'patient' || consentHolders(c, now).some((h) => h.id === me.id)
        ? allow
        : deny('only the patient (or guardian) reads the access log');
    default:
      return assertUnreachable(action);
  }
}

/**
 * The staff member who booked the consultation, logged in or in the call with a session
 * token minted from their login.
 */
export function isOrganiser(principal: Principal, c: Consultation): boolean {
  return principal.accountId !== null && principal.accountId === c.organiserId;
}

/**
 * May change the booking and see everyone's links: the organiser or a delegate they named,
 * by their staff login (never a session token or a link).
 */
export function managesBooking(principal: Principal, c: Consultation): boolean {
  if (principal.kind !== 'staff') return false;
  if (principal.accountId === c.organiserId) return true;
  return c.participants.some((p) => p.accountId === principal.accountId && p.delegate === true);
}

/** How a principal proved who they are (see `Origin`). */
export function principalOrigin(principal: Principal): Origin {
  return isStaffCaller(principal) ? 'login' : 'link';
}

/** Staff by their login: a staff login, or a session token minted from one. */
export function isStaffCaller(principal: Principal): boolean {
  return (
    principal.kind === 'staff' || (principal.accountId !== null && isStaffRole(principal.role))
  );
}

/** The patient, or a guardian while the patient is under 16 (the consent holders). */
export function speaksForPatient(me: Participant, c: Consultation, now: Date): boolean {
  return me.role === 'patient' || consentHolders(c, now).some((h) => h.id === me.id);
}

function assertUnreachable(x: never): never {
  throw new Error(`unhandled action ${String(x)}`);
}
