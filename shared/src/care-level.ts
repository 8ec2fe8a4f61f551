import type { Role } from './roles.js';

/**
 * Care levels (omsorgsnivå) between which sharing health information needs the patient's
 * consent (`Consent.shareHealthInfo`): the specialist health service (hospital) and the
 * municipal health service, where the GP (fastlege) belongs too.
 */
export type CareLevel = 'specialist' | 'municipal';

/** The care level of health personnel; undefined for the patient side and the interpreter. */
export function careLevelOf(role: Role): CareLevel | undefined {
  switch (role) {
    case 'specialist':
      return 'specialist';
    case 'gp':
    case 'municipal':
      return 'municipal';
    default:
      return undefined;
  }
}
