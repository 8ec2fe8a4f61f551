import { describe, expect, it } from 'vitest';
import type { Consent, Consultation, Participant } from '@samkons/shared';
import { consentStateFor, splitByDay } from './hooks';

const cid = '00000000-0000-4000-8000-000000000001';
const person = (id: string, role: Participant['role']): Participant => ({
  id,
  consultationId: cid,
  role,
  name: id,
  organisation: null,
  email: null,
  mobile: null,
  joinsFrom: 'home',
  travelDistanceKm: 0,
  birthDate: role === 'patient' ? '1941-01-01' : null,
  isGuardian: false,
  accountId: null,
  strongIdentification: false,
});
const consultation = (startsAt: string, participants: Participant[] = []): Consultation => ({
  id: `${cid}-${startsAt}`,
  kind: 'co_consultation',
  status: 'booked',
  title: null,
  startsAt,
  endsAt: startsAt,
  organiserId: cid,
  documentingOrganisation: 'Helse Bergen',
  cancelReason: null,
  participants,
  createdAt: startsAt,
  updatedAt: startsAt,
});
const consent = (over: Partial<Consent>): Consent => ({
  id: 'c1',
  consultationId: cid,
  givenByParticipantId: 'pat',
  method: 'in_app',
  recordedByParticipantId: null,
  coveredParticipantIds: ['pat', 'kin'],
  shareHealthInfo: true,
  givenAt: '2026-11-24T10:00:00Z',
  withdrawnAt: null,
  withdrawnByParticipantId: null,
  supersededAt: null,
  ...over,
});

describe('splitByDay', () => {
  it('puts today before tomorrow, each sorted', () => {
    const now = new Date(2026, 10, 24, 12, 0);
    const at = (d: number, h: number) => new Date(2026, 10, d, h).toISOString();
    const { today, upcoming } = splitByDay(
      [
        consultation(at(25, 9)),
        consultation(at(24, 15)),
        consultation(at(24, 8)),
        consultation(at(26, 9)),
      ],
      now,
    );
    expect(today.map((c) => c.startsAt)).toEqual([at(24, 8), at(24, 15)]);
    expect(upcoming.map((c) => c.startsAt)).toEqual([at(25, 9), at(26, 9)]);
  });
});

describe('consentStateFor', () => {
  const pat = person('pat', 'patient');
  const kin = person('kin', 'next_of_kin');
  const gp = person('gp', 'gp');
  const c = consultation('2026-11-24T12:00:00Z', [pat, kin, gp]);

  it('is not needed without a patient', () => {
    expect(consentStateFor(gp, consultation('2026-11-24T12:00:00Z', [gp]), [])).toEqual({
      kind: 'not_needed',
    });
  });
  it('is missing until given, given when covered, withdrawn after withdrawal', () => {
    expect(consentStateFor(kin, c, []).kind).toBe('missing');
    expect(consentStateFor(kin, c, [consent({})]).kind).toBe('given');
    expect(consentStateFor(gp, c, [consent({})]).kind).toBe('missing');
    const withdrawn = consent({ withdrawnAt: '2026-11-24T11:00:00Z' });
    expect(consentStateFor(kin, c, [withdrawn]).kind).toBe('withdrawn');
  });
  it('counts the patient and the guardian who consented as covered by their own consent', () => {
    // The patient consents for the others present; their own id is not in the list.
    const own = consent({ coveredParticipantIds: ['kin', 'gp'] });
    expect(consentStateFor(pat, c, [own]).kind).toBe('given');
    expect(consentStateFor(pat, c, [consent({ coveredParticipantIds: [] })]).kind).toBe('given');
    expect(consentStateFor(pat, c, []).kind).toBe('missing');
    const withdrawn = consent({ coveredParticipantIds: [], withdrawnAt: '2026-11-24T11:00:00Z' });
    expect(consentStateFor(pat, c, [withdrawn]).kind).toBe('withdrawn');
    // A guardian consenting for a child is covered by the consent they gave.
    const byGuardian = consent({ givenByParticipantId: 'kin', coveredParticipantIds: ['gp'] });
    expect(consentStateFor(kin, c, [byGuardian]).kind).toBe('given');
    expect(consentStateFor(pat, c, [byGuardian]).kind).toBe('given');
  });
  it('ignores superseded consents and prefers an active one', () => {
    const old = consent({ id: 'old', supersededAt: '2026-11-24T10:30:00Z' });
    expect(consentStateFor(kin, c, [old]).kind).toBe('missing');
    const newer = consent({ id: 'new', givenAt: '2026-11-24T10:30:00Z' });
    const withdrawn = consent({ id: 'w', withdrawnAt: '2026-11-24T11:00:00Z' });
    expect(consentStateFor(kin, c, [withdrawn, newer])).toMatchObject({
      kind: 'given',
      consent: { id: 'new' },
    });
  });
});
