import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { eidFailureKey } from './eidFailure';

describe('eidFailureKey', () => {
  it('tells someone else apart from a login below the level the meeting needs', () => {
    const other = new ApiError(
      'forbidden',
      'You logged in as someone other than the person this invitation is for',
      403,
    );
    expect(eidFailureKey(other, '?code=x&state=y')).toBe('joinCallback.wrongPerson');
    const low = new ApiError(
      'identification_required',
      'This meeting needs an electronic ID at level substantial',
      403,
    );
    expect(eidFailureKey(low, '?code=x&state=y')).toBe('joinCallback.levelTooLow');
  });

  it('says "cancelled" when the provider reports an error, "expired" otherwise', () => {
    const e = new ApiError('unauthenticated', 'Unknown or expired login attempt', 401);
    expect(eidFailureKey(e, '?error=access_denied&state=y')).toBe('joinCallback.cancelled');
    expect(eidFailureKey(e, '?code=x&state=y')).toBe('joinCallback.expired');
  });

  it('uses the shared messages for the rest', () => {
    expect(eidFailureKey(new ApiError('invalid_state', 'cancelled', 409), '')).toBe(
      'prejoin.linkCancelled',
    );
    expect(eidFailureKey(new ApiError('network_error', 'offline', 0), '')).toBe(
      'errors.network_error',
    );
    expect(eidFailureKey(new Error('boom'), '')).toBe('errors.internal');
  });
});
