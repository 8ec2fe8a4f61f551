import { errorMessageKey, isApiError } from '../../api/errors';

/** i18n keys for why an invite's eID login did not let the person in. */
export type EidFailureKey =
  | 'joinCallback.wrongPerson'
  | 'joinCallback.levelTooLow'
  | 'joinCallback.cancelled'
  | 'joinCallback.expired'
  | 'prejoin.linkCancelled'
  | ReturnType<typeof errorMessageKey>;

/**
 * Plain words for a failed GET /api/invites/oidc/callback. `search` is the provider's
 * redirect query: it carries `error` (access_denied...) when the person cancelled there.
 */
export function eidFailureKey(error: unknown, search: string): EidFailureKey {
  if (!isApiError(error)) return errorMessageKey(error);
  switch (error.code) {
    case 'forbidden':
      // Anyone who is not the person the invitation names (or an eID without a number).
      return 'joinCallback.wrongPerson';
    case 'identification_required':
      // The right person, but a login below the level the meeting needs.
      return 'joinCallback.levelTooLow';
    case 'unauthenticated':
      // An unknown, expired or replayed login attempt, or one the provider did not confirm.
      return new URLSearchParams(search).has('error')
        ? 'joinCallback.cancelled'
        : 'joinCallback.expired';
    case 'invalid_state':
      return 'prejoin.linkCancelled';
    default:
      return errorMessageKey(error);
  }
}
