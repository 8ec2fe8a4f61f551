import { errorMessageKey, isApiError } from '../../api/errors';

/** i18n keys for why the patient entry's eID login did not go through. */
export type PatientLoginFailureKey =
  | 'patient.levelTooLow'
  | 'patient.noNumber'
  | 'patient.cancelled'
  | 'patient.expired'
  | ReturnType<typeof errorMessageKey>;

/**
 * Plain words for a failed GET /api/patient/oidc/callback. `search` is the provider's
 * redirect query: it carries `error` (access_denied...) when the person cancelled there.
 */
export function patientLoginFailureKey(error: unknown, search: string): PatientLoginFailureKey {
  if (!isApiError(error)) return errorMessageKey(error);
  switch (error.code) {
    case 'identification_required':
      return 'patient.levelTooLow';
    case 'forbidden':
      // The eID did not state a national identity number.
      return 'patient.noNumber';
    case 'unauthenticated':
      return new URLSearchParams(search).has('error') ? 'patient.cancelled' : 'patient.expired';
    default:
      return errorMessageKey(error);
  }
}

/** What to say when "Gå til førehandssjekk" fails; `expired` sends the person to log in. */
export type PatientSessionFailure =
  | { kind: 'expired' }
  | { kind: 'message'; key: 'patient.notOpenYet'; opensAt: Date }
  | {
      kind: 'message';
      key:
        | 'patient.notOpenYetNoTime'
        | 'patient.gone'
        | 'patient.notFound'
        | ReturnType<typeof errorMessageKey>;
    };

/**
 * Reads a failed POST /api/patient/consultations/:participantId/session: 401 is the patient
 * token (log in again); 403 carries the opening time; 409 is cancelled or over.
 */
export function patientSessionFailure(
  error: unknown,
  instantIn: (message: string) => Date | null,
): PatientSessionFailure {
  if (!isApiError(error)) return { kind: 'message', key: errorMessageKey(error) };
  switch (error.code) {
    case 'unauthenticated':
      return { kind: 'expired' };
    case 'forbidden': {
      const opensAt = instantIn(error.message);
      return opensAt
        ? { kind: 'message', key: 'patient.notOpenYet', opensAt }
        : { kind: 'message', key: 'patient.notOpenYetNoTime' };
    }
    case 'invalid_state':
      return { kind: 'message', key: 'patient.gone' };
    case 'not_found':
      return { kind: 'message', key: 'patient.notFound' };
    default:
      return { kind: 'message', key: errorMessageKey(error) };
  }
}
