import {
  consentHolders,
  isStaffRole,
  type Consent,
  type Consultation,
  type Participant,
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
  'consultation.read',
  'consultation.update',
  'consultation.reschedule',
  'consultation.cancel',
  'participant.add',
  'participant.remove',
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
 * Grants for one participant, from role, consultation state and consent:
 * - nothing in a cancelled, completed or no-show consultation;
 * - when a patient takes part, everyone except the patient and the consent holders needs
 *   their presence covered by the consent in force to see, hear or be seen (withdrawal
 *   removes it at once);
 * - staff skip the lobby and admit others; the specialist or organiser moderates and ends.
 */
export function computeGrants(
  participant: Participant,
  c: Consultation,
  consent: Consent | undefined,
  now = new Date(),
): SessionGrants {
  const live = LIVE.has(c.status);
  const staff = isStaffRole(participant.role);
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
    roomJoin: media && staff,
    canPublish: media,
    canSubscribe: media,
    canPublishSources: media
      ? staff
        ? ['camera', 'microphone', 'screen']
        : ['camera', 'microphone']
      : [],
    canAdmit: media && staff,
    canModerate: live && staff && leads,
    canEnd: live && staff && leads,
    canConsent: live && holders.some((h) => h === participant.id),
    canRecordVerbalConsent: live && staff && patientPresent,
  };
}

/** May `principal` do `action`? Consultation-scoped actions need `ctx.consultation`. */
export function decide(principal: Principal, action: Action, ctx: PolicyContext = {}): Decision {
  const now = ctx.now ?? new Date();
  switch (action) {
    case 'consultation.create':
    case 'consultation.list':
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
  // Booking changes need a staff login: an invite link never manages a booking.
  const manager = principal.kind === 'staff';
  const grants = computeGrants(me, c, ctx.consent, now);

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
      return manager || isStaffCaller(principal) || speaksForPatient(me, c, now)
        ? allow
        : deny('health personnel, the patient and guardians see the care team');
    case 'careTeam.update':
    case 'fhir.export':
      return manager ? allow : deny('needs a staff login taking part in the consultation');
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
    case 'session.create':
      return manager ? allow : deny('needs a staff login taking part in the consultation');
    case 'invite.ics':
      return manager || ctx.targetParticipantId === me.id
        ? allow
        : deny('participants download only their own invitation');
    // Saying no needs exactly the standing that saying yes does.
    case 'consent.give':
    case 'consent.refuse':
      return grants.canConsent ? allow : deny('only the patient (16+) or a guardian consents');
    case 'consent.recordVerbal':
      return manager && grants.canRecordVerbalConsent
        ? allow
        : deny('only a clinician taking part records verbal consent');
    case 'consent.withdraw':
      // Withdrawing is always possible for the holder, even after the meeting.
      return consentHolders(c, now).some((h) => h.id === me.id) ||
        (manager && grants.canRecordVerbalConsent)
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
