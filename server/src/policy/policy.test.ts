import { describe, expect, it } from 'vitest';
import {
  ageOn,
  consentHolders,
  type Consent,
  type Consultation,
  type Participant,
} from '@samkons/shared';
import { computeGrants, decide } from './policy.js';

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
    expect(computeGrants(spec, c, consent)).toMatchObject({
      canPublish: true,
      canModerate: true,
      roomJoin: true,
    });
    expect(computeGrants(gp, c, consent)).toMatchObject({
      canPublish: false,
      canSubscribe: false,
      canModerate: false,
    });
    expect(computeGrants(pat, c, consent)).toMatchObject({
      canPublish: true,
      canConsent: true,
      roomJoin: false,
    });
    const cancelled = consultation([spec, gp, pat], 'cancelled');
    const g = computeGrants(spec, cancelled, consent);
    expect(Object.values(g).filter((v) => v === true)).toEqual([]);
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
