import { z } from 'zod';
import { AssuranceLevel } from './roles.js';

export const AuditActorType = z.enum(['staff', 'participant', 'system', 'anonymous']);
export type AuditActorType = z.infer<typeof AuditActorType>;

/** One row per access or change (Normen): who, how strongly identified, what, when, from where. */
export const AuditEntry = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorType: AuditActorType,
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  actorRole: z.string().nullable(),
  assuranceLevel: AssuranceLevel.nullable(),
  action: z.string(),
  consultationId: z.string().nullable(),
  clientAddress: z.string().nullable(),
  /** Hex SHA-256 over this row's fields and the previous row's hash. */
  hash: z.string(),
  prevHash: z.string(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditList = z.object({ entries: z.array(AuditEntry) });
export type AuditList = z.infer<typeof AuditList>;
