import { z } from 'zod';
import { lineText, multilineText } from './plain-text.js';
import { SessionGrants } from './grants.js';
import { Role } from './roles.js';
import { LiveAgenda } from './live-agenda.js';

/**
 * The live session around the media: waiting room (lobby), admission, chat, raised hands,
 * the roster of people physically present with the patient, and host actions. The request
 * and notification schemas are registered in signalling.ts's catalogues.
 *
 * Flow for a client (signalling.ts has the media side):
 * 1. connect with `{ token }` (SessionHandshakeAuth); the server sends `welcome`;
 * 2. `join` -> `{ status: 'waiting', transports }` or `{ status: 'admitted', session,
 *    transports, media }`;
 * 3. while waiting: show the lobby screen with the transports made but nothing consumed
 *    or produced (the server enforces it); `admitted` opens the media (or `denied`, after
 *    which the server disconnects);
 * 4. on a reconnect (dropped socket, server restart) `join` again: someone admitted
 *    earlier in this session goes straight back in, with the host's mute kept.
 */

const Id = lineText.min(1).max(128);

/** Handshake for real sessions: the session token from login or invite exchange. */
export const SessionHandshakeAuth = z.object({
  token: lineText.min(1).max(8192),
  /** Optional: when given it must match the token's consultation, else `forbidden`. */
  consultationId: lineText.max(128).optional(),
});
export type SessionHandshakeAuth = z.infer<typeof SessionHandshakeAuth>;

/**
 * Finer reasons carried next to the generic error code in an ack, so clients can show the
 * right text (e.g. "waiting for consent") without parsing messages.
 */
export const SessionErrorReason = z.enum([
  /** The caller has not been admitted from the lobby yet. */
  'not_admitted',
  /** Admission needs a consent that does not exist yet (patient 16+, or a guardian). */
  'consent_required',
  /** The target is not in the lobby / not in the session. */
  'not_in_lobby',
  'not_in_session',
  /** The session was ended; it cannot be entered again. */
  'session_ended',
  /** The current agenda part is for health personnel only: the patient side waits. */
  'held_for_part',
  /** The consultation has no agenda, or no part with that id. */
  'not_in_agenda',
  /** Only the patient's side sets the roster of people present with the patient. */
  'not_patient_side',
  /** The session runs on another node (several nodes): the ack's `redirectUrl` is its URL. */
  'wrong_node',
]);
export type SessionErrorReason = z.infer<typeof SessionErrorReason>;

/** Someone in the session, as everyone sees them: nobody unknown may be present. */
export const SessionParticipant = z.object({
  /** The participant id; the same as the media peer id. */
  id: Id,
  displayName: z.string(),
  /** Null only for development rooms. */
  role: Role.nullable(),
  organisation: z.string().nullable(),
  handRaised: z.boolean(),
});
export type SessionParticipant = z.infer<typeof SessionParticipant>;

/** Someone waiting to be admitted; visible to participants with the `canAdmit` grant. */
export const LobbyEntry = z.object({
  participantId: Id,
  displayName: z.string(),
  role: Role.nullable(),
  organisation: z.string().nullable(),
  /** Admission is blocked until the required consent exists (show "waiting for consent"). */
  waitingForConsent: z.boolean(),
  /** ISO instant they started waiting. */
  since: z.string(),
  /**
   * Waits because the current agenda part is for health personnel only (live-agenda.ts):
   * they come in when the host moves on. Absent from servers without an agenda.
   */
  heldForPart: z.boolean().optional(),
});
export type LobbyEntry = z.infer<typeof LobbyEntry>;

/** A person physically present with the patient ("my daughter is here with me"). */
export const RosterEntry = z.object({
  name: lineText.trim().min(1).max(100),
  /** Free text: "daughter", "home nurse", ... */
  relation: lineText.trim().max(100).nullable(),
});
export type RosterEntry = z.infer<typeof RosterEntry>;

export const Roster = z.object({
  people: z.array(RosterEntry).max(20),
  /** Who last set it (a patient-side participant), null before anyone did. */
  setByParticipantId: Id.nullable(),
});
export type Roster = z.infer<typeof Roster>;

/** Chat lives in server memory for the session only; it is discarded when the session ends. */
export const ChatMessage = z.object({
  id: Id,
  fromParticipantId: Id,
  fromDisplayName: z.string(),
  fromRole: Role.nullable(),
  text: z.string(),
  sentAt: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;
export const MAX_CHAT_LENGTH = 2000;

/** What an admitted participant needs to draw the session (besides media). */
export const SessionState = z.object({
  consultationId: Id,
  selfParticipantId: Id,
  /** Everyone admitted, including the caller. */
  participants: z.array(SessionParticipant),
  /** Empty unless the caller has `canAdmit`. */
  lobby: z.array(LobbyEntry),
  roster: Roster,
  /** Messages so far in this session (memory only, most recent last). */
  chat: z.array(ChatMessage),
  /**
   * The caller's grants as the session applies them: recomputed at admission from the
   * consent then in force, so they may be wider than the token's (a clinician who got the
   * token before the patient consented). Controls follow these, not the token's.
   */
  grants: SessionGrants,
  /** The agenda as it runs now (live-agenda.ts); absent when the consultation has none. */
  agenda: LiveAgenda.optional(),
  /**
   * A host muted the caller and they have not unmuted since (kept across reconnects and
   * restarts): the client publishes its microphone paused, and the server pauses it anyway.
   */
  selfMutedByHost: z.boolean(),
});
export type SessionState = z.infer<typeof SessionState>;

/** Where entering the session puts someone (the session half of `join`'s answer). */
export type SessionEntry =
  { status: 'waiting'; lobbyEntry: LobbyEntry } | { status: 'admitted'; session: SessionState };

const Target = z.object({ participantId: Id });
const Empty = z.object({}).strict();

/** Session requests (client -> server, acked); merged into signalling's `requests`. */
export const sessionRequests = {
  /** Needs `canAdmit`. Patient-side participants need consent first (`consent_required`). */
  admit: { req: Target, res: Empty },
  /** Needs `canAdmit`. The denied socket gets `denied` and is disconnected. */
  deny: {
    req: Target.extend({ reason: multilineText.trim().max(200).optional() }),
    res: Empty,
  },
  /** Needs `canModerate`. The removed socket gets `removed` and is disconnected. */
  removeParticipant: { req: Target, res: Empty },
  /** Needs `canModerate`: pauses the target's microphone producer on the server. */
  muteParticipant: { req: Target, res: Empty },
  /** Needs `canModerate`: a request only; only the target can unmute (resumeProducer). */
  askToUnmute: { req: Target, res: Empty },
  /** Needs `canEnd`: everyone gets `sessionEnded` and is disconnected. */
  endSession: { req: Empty, res: Empty },
  sendChat: {
    req: z.object({ text: multilineText.trim().min(1).max(MAX_CHAT_LENGTH) }),
    res: z.object({ messageId: Id }),
  },
  /** Raise (true) or lower (false) one's own hand. */
  raiseHand: { req: z.object({ raised: z.boolean() }), res: Empty },
  /** Patient side only (patient, next of kin): replaces the roster. */
  setRoster: { req: z.object({ people: z.array(RosterEntry).max(20) }), res: Empty },
} as const satisfies Record<string, { req: z.ZodType; res: z.ZodType }>;

export const RemovedReason = z.enum(['removed_by_host', 'consent_withdrawn', 'no_longer_invited']);
export type RemovedReason = z.infer<typeof RemovedReason>;

export const SessionEndedReason = z.enum([
  'ended_by_host',
  /** The patient's (or guardian's) consent to the consultation was withdrawn. */
  'consent_withdrawn',
  'consultation_cancelled',
]);
export type SessionEndedReason = z.infer<typeof SessionEndedReason>;

export const LeftReason = z.enum([
  'left',
  'disconnected',
  'removed_by_host',
  'consent_withdrawn',
  /** Back in the waiting room: the agenda's current part is for health personnel only. */
  'waiting_for_part',
]);
export type LeftReason = z.infer<typeof LeftReason>;

/** Session notifications (server -> client); merged into signalling's `notifications`. */
export const sessionNotifications = {
  /** To participants with `canAdmit`: the whole lobby after any change. */
  lobbyChanged: z.object({ lobby: z.array(LobbyEntry) }),
  /** To a waiting participant; the server disconnects right after. */
  denied: z.object({ reason: z.string().nullable() }),
  /** To a removed participant; the server disconnects right after. */
  removed: z.object({ reason: RemovedReason }),
  /** To everyone (admitted and waiting); the server disconnects right after. */
  sessionEnded: z.object({ reason: SessionEndedReason }),
  /** To the admitted: someone came in. */
  participantJoined: z.object({ participant: SessionParticipant }),
  /** To the admitted: someone is gone, and why. */
  participantLeft: z.object({ participantId: Id, reason: LeftReason }),
  chatMessage: ChatMessage,
  handRaised: z.object({ participantId: Id, raised: z.boolean() }),
  rosterChanged: z.object({ roster: Roster }),
  /** To the admitted: a host paused `participantId`'s microphone. */
  mutedByHost: z.object({ participantId: Id, producerId: Id, byParticipantId: Id }),
  /** To the target only: a host asks them to unmute. */
  unmuteRequested: z.object({ byParticipantId: Id, byDisplayName: z.string() }),
  /**
   * The patient (or guardian) refused consent, so the patient side stays
   * `waitingForConsent` and cannot be admitted. To the admitted with `canAdmit`, and to
   * anyone present with `canRecordVerbalConsent` (clinicians still waiting because no
   * consent exists yet); never to the patient side.
   */
  consentRefused: z.object({ byParticipantId: Id, at: z.string() }),
} as const satisfies Record<string, z.ZodType>;
