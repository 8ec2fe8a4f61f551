import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import { instantInMessage } from '../prejoin/checks';
import { patientLoginFailureKey, patientSessionFailure } from './failures';

describe('patientLoginFailureKey', () => {
  it('tells a too weak login from an eID without a number', () => {
    const low = new ApiError('identification_required', 'level substantial', 403);
    expect(patientLoginFailureKey(low, '?code=x&state=y')).toBe('patient.levelTooLow');
    const nopid = new ApiError('forbidden', 'no national identity number', 403);
    expect(patientLoginFailureKey(nopid, '?code=x&state=y')).toBe('patient.noNumber');
  });

  it('says "cancelled" when the provider reports an error, "expired" otherwise', () => {
    const e = new ApiError('unauthenticated', 'Unknown or expired login attempt', 401);
    expect(patientLoginFailureKey(e, '?error=access_denied&state=y')).toBe('patient.cancelled');
    expect(patientLoginFailureKey(e, '?code=x&state=y')).toBe('patient.expired');
    expect(patientLoginFailureKey(new Error('boom'), '')).toBe('errors.internal');
  });
});

describe('patientSessionFailure', () => {
  it('sends an ended patient token back to the login', () => {
    const e = new ApiError('unauthenticated', 'Token expired', 401);
    expect(patientSessionFailure(e, instantInMessage)).toEqual({ kind: 'expired' });
  });

  it('reads the opening time from a not-yet-open meeting', () => {
    const e = new ApiError('forbidden', 'The invitation opens at 2030-01-02T08:00:00.000Z', 403);
    expect(patientSessionFailure(e, instantInMessage)).toEqual({
      kind: 'message',
      key: 'patient.notOpenYet',
      opensAt: new Date('2030-01-02T08:00:00.000Z'),
    });
    const vague = new ApiError('forbidden', 'not yet', 403);
    expect(patientSessionFailure(vague, instantInMessage)).toEqual({
      kind: 'message',
      key: 'patient.notOpenYetNoTime',
    });
  });

  it('has plain words for cancelled, unknown and the rest', () => {
    const f = (code: ConstructorParameters<typeof ApiError>[0]) =>
      patientSessionFailure(new ApiError(code, 'x', 400), instantInMessage);
    expect(f('invalid_state')).toMatchObject({ key: 'patient.gone' });
    expect(f('not_found')).toMatchObject({ key: 'patient.notFound' });
    expect(f('network_error')).toMatchObject({ key: 'errors.network_error' });
  });
});
