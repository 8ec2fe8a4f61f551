import { z } from 'zod';

/** Participant roles (CONTEXT.md). UI shows the Norwegian words; code uses these codes. */
export const Role = z.enum([
  'specialist',
  'gp',
  'municipal',
  'patient',
  'next_of_kin',
  'interpreter',
]);
export type Role = z.infer<typeof Role>;

/** Roles that have staff accounts (health personnel) and may book consultations. */
export const StaffRole = z.enum(['specialist', 'gp', 'municipal']);
export type StaffRole = z.infer<typeof StaffRole>;

export const isStaffRole = (role: Role): role is StaffRole =>
  (StaffRole.options as readonly string[]).includes(role);

/**
 * Assurance level of a login (eIDAS-style, as used by ID-porten and HelseID):
 * `low` for an invite link or a local password, `substantial`/`high` from the OIDC provider.
 */
export const AssuranceLevel = z.enum(['low', 'substantial', 'high']);
export type AssuranceLevel = z.infer<typeof AssuranceLevel>;

export const roleLabelNo: Record<Role, string> = {
  specialist: 'Spesialist',
  gp: 'Fastlege',
  municipal: 'Kommunal helseteneste',
  patient: 'Pasient',
  next_of_kin: 'Pårørande',
  interpreter: 'Tolk',
};
