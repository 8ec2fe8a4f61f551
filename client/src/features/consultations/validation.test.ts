import { describe, expect, it } from 'vitest';
import {
  emptyParticipant,
  fieldErrorsFromServer,
  fieldIdFromPath,
  localInstant,
  orderedErrorIds,
  validateBooking,
  type BookingDraft,
  type ParticipantDraft,
} from './validation';

const now = new Date('2026-11-24T10:00:00');

function participant(over: Partial<ParticipantDraft>): ParticipantDraft {
  return { ...emptyParticipant(), joinsFrom: 'home', ...over };
}

function draft(over: Partial<BookingDraft> = {}): BookingDraft {
  return {
    kind: 'co_consultation',
    title: '',
    date: '2026-11-25',
    time: '09:30',
    durationMin: '45',
    documentingOrganisation: 'Helse Bergen',
    participants: [
      participant({
        role: 'gp',
        name: 'Dr. Fastlege',
        email: 'gp@example.no',
        joinsFrom: 'gp_office',
      }),
      participant({
        role: 'patient',
        name: 'Kari',
        mobile: '912 34 567',
        birthDate: '1941-03-02',
        travelKm: '92,5',
      }),
      participant({
        role: 'next_of_kin',
        name: 'Dotter',
        email: 'd@example.no',
        isGuardian: false,
      }),
    ],
    ...over,
  };
}

describe('validateBooking', () => {
  it('builds a request the shared schema accepts', () => {
    const result = validateBooking(draft(), now);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { request } = result;
    if (!request.participants) throw new Error('participants missing');
    expect(request.startsAt).toBe(new Date('2026-11-25T09:30:00').toISOString());
    expect(Date.parse(request.endsAt) - Date.parse(request.startsAt)).toBe(45 * 60_000);
    expect(request.participants[1]).toMatchObject({
      role: 'patient',
      birthDate: '1941-03-02',
      travelDistanceKm: 92.5,
      email: null,
      mobile: '912 34 567',
    });
    expect(request.participants[0]).not.toHaveProperty('birthDate');
    expect(request.title).toBeNull();
  });

  it('requires date, time, and a duration in range', () => {
    const r = validateBooking(draft({ date: '', time: '', durationMin: '0' }), now);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.date?.key).toBe('required');
    expect(r.errors.time?.key).toBe('required');
    expect(r.errors.duration).toEqual({ key: 'durationRange', values: { min: 5, max: 720 } });
  });

  it('rejects a time in the past', () => {
    const r = validateBooking(draft({ date: '2026-11-24', time: '09:00' }), now);
    expect(!r.ok && r.errors.date?.key).toBe('inPast');
  });

  it('needs contact details, a valid email and mobile, per participant', () => {
    const r = validateBooking(
      draft({
        participants: [
          participant({ role: 'patient', name: 'P', birthDate: '1950-01-01' }),
          participant({ role: 'gp', name: 'G', email: 'not-an-email', mobile: '12' }),
        ],
      }),
      now,
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors['participants.0.email']?.key).toBe('contactRequired');
    expect(r.errors['participants.1.email']?.key).toBe('invalidEmail');
    expect(r.errors['participants.1.mobile']?.key).toBe('invalidMobile');
  });

  it('asks for the patient birth date and refuses one in the future', () => {
    const missing = validateBooking(
      draft({ participants: [participant({ role: 'patient', name: 'P', email: 'p@x.no' })] }),
      now,
    );
    expect(!missing.ok && missing.errors['participants.0.birthDate']?.key).toBe(
      'birthDateRequired',
    );
    const future = validateBooking(
      draft({
        participants: [
          participant({ role: 'patient', name: 'P', email: 'p@x.no', birthDate: '2030-01-01' }),
        ],
      }),
      now,
    );
    expect(!future.ok && future.errors['participants.0.birthDate']?.key).toBe('birthDateFuture');
  });

  it('applies the kind rules: a patient for co-consultation, none for guidance, never two', () => {
    const gp = participant({ role: 'gp', name: 'G', email: 'g@x.no' });
    const patient = participant({
      role: 'patient',
      name: 'P',
      email: 'p@x.no',
      birthDate: '1950-01-01',
    });
    const noPatient = validateBooking(draft({ participants: [gp] }), now);
    expect(!noPatient.ok && noPatient.errors.participants?.key).toBe('needPatient');
    const guidance = validateBooking(draft({ kind: 'guidance', participants: [gp, patient] }), now);
    expect(!guidance.ok && guidance.errors.participants?.key).toBe('noPatientInGuidance');
    const two = validateBooking(draft({ participants: [patient, { ...patient, uid: 'x' }] }), now);
    expect(!two.ok && two.errors.participants?.key).toBe('onePatient');
    const empty = validateBooking(draft({ kind: 'follow_up', participants: [] }), now);
    expect(!empty.ok && empty.errors.participants?.key).toBe('atLeastOne');
    expect(validateBooking(draft({ kind: 'guidance', participants: [gp] }), now).ok).toBe(true);
  });

  it('rejects a negative or huge travel distance', () => {
    const r = validateBooking(
      draft({
        participants: [
          participant({
            role: 'patient',
            name: 'P',
            email: 'p@x.no',
            birthDate: '1950-01-01',
            travelKm: '-1',
          }),
        ],
      }),
      now,
    );
    expect(!r.ok && r.errors['participants.0.travelKm']?.key).toBe('distanceRange');
  });

  it('reads the date as dd.mm.yyyy and the time on the 24-hour clock', () => {
    const ok = validateBooking(draft({ date: '25.11.2026', time: '14:30' }), now);
    expect(ok.ok && ok.request.startsAt).toBe(new Date(2026, 10, 25, 14, 30).toISOString());
    const us = validateBooking(draft({ date: '11/25/2026', time: '2:30 PM' }), now);
    expect(!us.ok && us.errors.date?.key).toBe('invalidDate');
    expect(!us.ok && us.errors.time?.key).toBe('invalidTime');
  });

  it('lists errors in form order', () => {
    const d = draft({ date: '', documentingOrganisation: '' });
    d.participants[0]!.name = '';
    const r = validateBooking(d, now);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(orderedErrorIds(r.errors, d)).toEqual([
      'date',
      'documentingOrganisation',
      'participants.0.name',
    ]);
  });
});

describe('national identity number (patient eID)', () => {
  // Valid numbers (both modulus-11 control digits right) and one with a wrong last digit.
  const VALID = '15058710021';
  const OTHER = '01015010033';
  const WRONG = '15058710022';
  const withIds = (patient: string, kin = '', gp = '') => {
    const d = draft();
    d.participants[0]!.nationalId = gp;
    d.participants[1]!.nationalId = patient;
    d.participants[2]!.nationalId = kin;
    return d;
  };

  it('sends the number, without spaces, for patient and next of kin when it is filled in', () => {
    const r = validateBooking(withIds('150587 10021', OTHER), now, { nationalIds: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.request.participants?.[1]).toMatchObject({ role: 'patient', nationalId: VALID });
    expect(r.request.participants?.[2]).toMatchObject({ role: 'next_of_kin', nationalId: OTHER });
  });

  it('leaves it out when empty: the link alone is then enough', () => {
    const r = validateBooking(withIds(' '), now, { nationalIds: true });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    for (const p of r.request.participants ?? []) expect(p).not.toHaveProperty('nationalId');
  });

  it('refuses a wrong control digit, a short number and letters', () => {
    for (const bad of [WRONG, '1505871002', '1505871002x']) {
      const r = validateBooking(withIds(bad, bad), now, { nationalIds: true });
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.errors['participants.1.nationalId']).toEqual({ key: 'invalidNationalId' });
      expect(r.errors['participants.2.nationalId']).toEqual({ key: 'invalidNationalId' });
    }
  });

  it('ignores the field when the server has no patient eID, and for staff roles', () => {
    const off = validateBooking(withIds(WRONG), now);
    expect(off.ok).toBe(true);
    if (off.ok) expect(off.request.participants?.[1]).not.toHaveProperty('nationalId');
    const staff = validateBooking(withIds('', '', VALID), now, { nationalIds: true });
    expect(staff.ok).toBe(true);
    if (staff.ok) expect(staff.request.participants?.[0]).not.toHaveProperty('nationalId');
  });

  it('lists the number after the birth date and maps server details to it', () => {
    const d = withIds(WRONG);
    d.participants[1]!.birthDate = '';
    const r = validateBooking(d, now, { nationalIds: true });
    expect(!r.ok && orderedErrorIds(r.errors, d)).toEqual([
      'participants.1.birthDate',
      'participants.1.nationalId',
    ]);
    expect(
      fieldErrorsFromServer([{ path: 'body/participants/1/nationalId', message: 'bad' }]),
    ).toEqual({ 'participants.1.nationalId': { key: 'invalidNationalId' } });
  });
});

describe('paths and server details', () => {
  it('maps server and zod paths to field ids', () => {
    expect(fieldIdFromPath('body/participants/0/email')).toBe('participants.0.email');
    expect(fieldIdFromPath(['participants', 2, 'travelDistanceKm'])).toBe(
      'participants.2.travelKm',
    );
    expect(fieldIdFromPath('body/startsAt')).toBe('date');
    expect(fieldIdFromPath(['endsAt'])).toBe('duration');
  });
  it('turns server details into field errors', () => {
    expect(
      fieldErrorsFromServer([
        { path: 'body/participants/1/mobile', message: 'bad' },
        { path: 'body/documentingOrganisation', message: 'bad' },
      ]),
    ).toEqual({
      'participants.1.mobile': { key: 'invalidMobile' },
      documentingOrganisation: { key: 'invalid' },
    });
  });
  it('reads local date and time', () => {
    expect(localInstant('2026-02-30', '10:00')).toBeNull();
    expect(localInstant('2026-02-28', '10:00')?.getDate()).toBe(28);
    expect(localInstant('26-1-1', '10:00')).toBeNull();
    expect(localInstant('2026-01-01', '')).toBeNull();
  });
});
