import { z } from 'zod';

/**
 * Permissions carried inside a session token, LiveKit-style: computed in one place on the
 * server (policy), checked by handlers. Handlers never look at role names.
 */
export const SessionGrants = z.object({
  /** The consultation (room) this token is bound to. */
  consultationId: z.string(),
  /** The participant this token speaks for. */
  participantId: z.string(),
  /** May enter the room without waiting to be admitted. */
  roomJoin: z.boolean(),
  canPublish: z.boolean(),
  canSubscribe: z.boolean(),
  /** Sources this participant may publish. */
  canPublishSources: z.array(z.enum(['camera', 'microphone', 'screen'])),
  /** Admit or deny people in the waiting room. */
  canAdmit: z.boolean(),
  /** Remove, mute or ask someone to unmute. */
  canModerate: z.boolean(),
  /** End the session for everyone. */
  canEnd: z.boolean(),
  /** Give or withdraw consent in the app (patient, or guardian under 16). */
  canConsent: z.boolean(),
  /** Record verbal consent on the patient's behalf (a named clinician). */
  canRecordVerbalConsent: z.boolean(),
});
export type SessionGrants = z.infer<typeof SessionGrants>;
