import { describe, expect, it } from 'vitest';
import {
  ageOn,
  consentHolders,
  type Consent,
  type Consultation,
  type Participant,
} from '@samkons/shared';
import { computeGrants, decide, entryOf, originOf } from './policy.js';

const p = (
  id: string,
  role: Participant['role'],
  extra: Partial<Participant> = {},
): Participant => ({
  id,
  consultationId: 'c',
  role,
  name: id,
  organisation: null,
  email: null,
  mobile: null,
  joinsFrom: 'home',
  travelDistanceKm: 0,
  birthDate: null,
  isGuardian: false,
  strongIdentification: false,
  accountId: null,
  ...extra,
});

const consultation = (
  participants: Participant[],
  status: Consultation['status'] = 'booked',
): Consultation => ({
  id: 'c',
  kind: 'co_consultation',
  status,
  title: null,
  startsAt: '2030-01-01T10:00:00.000Z',
  endsAt: '2030-01-01T11:00:00.000Z',
  organiserId: 'acc-spec',
  documentingOrganisation: 'X',
  cancelReason: null,
  participants,
  createdAt: '',
  updatedAt: '',
});

describe('policy', () => {
  it('computes age in whole years, turning 16 on the birthday', () => {
    expect(ageOn('2010-06-15', new Date('2026-06-14T23:59:59Z'))).toBe(15);
    expect(ageOn('2010-06-15', new Date('2026-06-15T00:00:00Z'))).toBe(16);
  });

  it('lets the patient consent from 16 and guardians below', () => {
    const guardian = p('g', 'next_of_kin', { isGuardian: true });
    const other = p('n', 'next_of_kin');
    const now = new Date('2026-06-15T12:00:00Z');
    const older = consultation([p('pat', 'patient', { birthDate: '2010-06-15' }), guardian, other]);
    expect(consentHolders(older, now).map((x) => x.id)).toEqual(['pat']);
    const younger = consultation([
      p('pat', 'patient', { birthDate: '2010-06-16' }),
      guardian,
      other,
    ]);
    expect(consentHolders(younger, now).map((x) => x.id)).toEqual(['g']);
  });

  it('gives media only to those the consent covers, and nothing once cancelled', () => {
    const spec = p('s', 'specialist', { accountId: 'acc-spec' });
    const gp = p('gp', 'gp', { accountId: 'acc-gp' });
    const pat = p('pat', 'patient', { birthDate: '1950-01-01' });
    const c = consultation([spec, gp, pat]);
    const consent = { coveredParticipantIds: ['s'] } as Consent;
    expect(computeGrants(spec, c, consent, 'login')).toMatchObject({
      canPublish: true,
      canModerate: true,
      roomJoin: true,
    });
    expect(computeGrants(gp, c, consent, 'login')).toMatchObject({
      canPublish: false,
      canSubscribe: false,
      canModerate: false,
    });
    expect(computeGrants(pat, c, consent, 'link')).toMatchObject({
      canPublish: true,
      canConsent: true,
      roomJoin: false,
    });
    const cancelled = consultation([spec, gp, pat], 'cancelled');
    const g = computeGrants(spec, cancelled, consent, 'login');
    expect(Object.values(g).filter((v) => v === true)).toEqual([]);
  });

  it('lets staff by their own login straight in; a staff link waits and has no host powers', () => {
    const spec = p('s', 'specialist', { accountId: 'acc-spec' });
    const gp = p('gp', 'gp', { accountId: 'acc-gp' });
    const locum = p('locum', 'gp');
    const c = consultation([spec, gp, locum]);
    expect(originOf(gp, 'acc-gp')).toBe('login');
    expect(originOf(gp, null)).toBe('link');
    // A token minted from another account's login is no proof for this row.
    expect(originOf(gp, 'acc-spec')).toBe('link');
    expect(entryOf(gp, 'login')).toBe('direct');
    expect(entryOf(gp, 'link')).toBe('lobby');
    expect(entryOf(p('pat', 'patient'), 'login')).toBe('lobby');
    expect(computeGrants(gp, c, undefined, 'login')).toMatchObject({
      roomJoin: true,
      canAdmit: true,
      canRecordVerbalConsent: false,
    });
    for (const [who, origin] of [
      [gp, 'link'],
      [locum, 'link'],
      [spec, 'link'],
    ] as const) {
      expect(computeGrants(who, c, undefined, origin)).toMatchObject({
        roomJoin: false,
        canAdmit: false,
        canModerate: false,
        canEnd: false,
        canRecordVerbalConsent: false,
        canPublish: true,
      });
    }
  });

  it('lets only the organiser and named delegates manage the booking', () => {
    const spec = p('s', 'specialist', { accountId: 'acc-spec' });
    const gp = p('gp', 'gp', { accountId: 'acc-gp' });
    const nurse = p('n', 'municipal', { accountId: 'acc-n', delegate: true });
    const c = consultation([spec, gp, nurse]);
    const staff = (accountId: string, role: 'specialist' | 'gp' | 'municipal') => ({
      kind: 'staff' as const,
      accountId,
      username: accountId,
      role,
      name: accountId,
      organisation: 'x',
      assuranceLevel: 'low' as const,
      loginSessionId: 'l',
    });
    for (const action of ['consultation.cancel', 'invite.create', 'outbox.read'] as const) {
      expect(decide(staff('acc-spec', 'specialist'), action, { consultation: c }).allowed).toBe(
        true,
      );
      expect(decide(staff('acc-n', 'municipal'), action, { consultation: c }).allowed).toBe(true);
      expect(decide(staff('acc-gp', 'gp'), action, { consultation: c }).allowed).toBe(false);
    }
    expect(decide(staff('acc-gp', 'gp'), 'session.create', { consultation: c }).allowed).toBe(true);
    expect(
      decide(staff('acc-n', 'municipal'), 'participant.delegate', { consultation: c }).allowed,
    ).toBe(false);
  });

  it('denies everything in a consultation the principal does not take part in', () => {
    const c = consultation([p('s', 'specialist', { accountId: 'acc-spec' })]);
    const outsider = {
      kind: 'participant' as const,
      participantId: 'x',
      consultationId: 'other',
      role: 'patient' as const,
      name: 'x',
      assuranceLevel: 'low' as const,
      accountId: null,
      inviteId: null,
    };
    expect(decide(outsider, 'consultation.read', { consultation: c }).allowed).toBe(false);
    expect(decide(outsider, 'consultation.create').allowed).toBe(false);
  });
});
