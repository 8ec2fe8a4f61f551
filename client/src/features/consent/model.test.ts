import { describe, expect, it } from 'vitest';
import type { Consent, Consultation, Participant, SessionGrants } from '@samkons/shared';
import {
  consentHolders,
  consentInForce,
  guardianDecides,
  mustConsent,
  needingCover,
  withoutParticipant,
} from './model';

const now = new Date('2026-05-01T10:00:00Z');
let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

function participant(over: Partial<Participant>): Participant {
  return {
    id: id(),
    consultationId: 'c',
    role: 'gp',
    name: 'X',
    organisation: null,
    email: null,
    mobile: null,
    joinsFrom: 'home',
    travelDistanceKm: 0,
    birthDate: null,
    isGuardian: false,
    accountId: null,
    strongIdentification: false,
    ...over,
  };
}

function consultation(participants: Participant[]): Consultation {
  return {
    id: 'c',
    kind: 'co_consultation',
    status: 'booked',
    title: null,
    startsAt: now.toISOString(),
    endsAt: now.toISOString(),
    organiserId: 'o',
    documentingOrganisation: 'Helse Bergen',
    cancelReason: null,
    participants,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
}

function consent(over: Partial<Consent>): Consent {
  return {
    id: id(),
    consultationId: 'c',
    givenByParticipantId: 'p',
    method: 'in_app',
    recordedByParticipantId: null,
    coveredParticipantIds: [],
    shareHealthInfo: true,
    givenAt: '2026-05-01T09:00:00Z',
    withdrawnAt: null,
    withdrawnByParticipantId: null,
    supersededAt: null,
    ...over,
  };
}

const spec = participant({ role: 'specialist' });
const daughter = participant({ role: 'next_of_kin' });

describe('consent model', () => {
  it('an adult patient decides and must cover everyone else', () => {
    const patient = participant({ role: 'patient', birthDate: '1940-03-01' });
    const c = consultation([spec, patient, daughter]);
    expect(consentHolders(c, now).map((p) => p.id)).toEqual([patient.id]);
    expect(needingCover(c, now).map((p) => p.id)).toEqual([spec.id, daughter.id]);
    expect(guardianDecides(c, now)).toBe(false);
  });

  it('a guardian decides for a patient under 16', () => {
    const child = participant({ role: 'patient', birthDate: '2015-06-01' });
    const mother = participant({ role: 'next_of_kin', isGuardian: true });
    const c = consultation([spec, child, mother]);
    expect(consentHolders(c, now).map((p) => p.id)).toEqual([mother.id]);
    expect(needingCover(c, now).map((p) => p.id)).toEqual([spec.id]);
    expect(guardianDecides(c, now)).toBe(true);
  });

  it('finds the consent in force and narrows it', () => {
    const old = consent({ supersededAt: '2026-05-01T09:30:00Z' });
    const gone = consent({ withdrawnAt: '2026-05-01T09:40:00Z' });
    const live = consent({ coveredParticipantIds: [spec.id, daughter.id] });
    expect(consentInForce([old, gone, live])).toBe(live);
    expect(consentInForce([old, gone])).toBeUndefined();
    expect(withoutParticipant(live, daughter.id)).toEqual({
      method: 'in_app',
      coveredParticipantIds: [spec.id],
      shareHealthInfo: true,
    });
  });

  it('asks only a consent holder without a consent in force', () => {
    const grants = { canConsent: true } as SessionGrants;
    expect(mustConsent(grants, [])).toBe(true);
    expect(mustConsent(grants, [consent({})])).toBe(false);
    expect(mustConsent({ ...grants, canConsent: false }, [])).toBe(false);
  });
});
