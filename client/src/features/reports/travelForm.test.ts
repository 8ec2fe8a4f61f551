import { describe, expect, it } from 'vitest';
import { TravelPlan } from '@samkons/shared';
import {
  canAccompany,
  initialTravelForm,
  parseKm,
  placeChoice,
  toTravelPlan,
  travelFormFromPlan,
  type TravelFormState,
} from './travelForm';

const base: TravelFormState = { origin: 'km', km: '90', mode: 'car', accompanying: false };

describe('travel form -> TravelPlan', () => {
  it('maps entered km, accepting a decimal comma', () => {
    const r = toTravelPlan({ ...base, km: '12,5', mode: 'boat' }, false);
    expect(r).toEqual({
      ok: true,
      plan: { origin: { kind: 'km', oneWayKm: 12.5 }, mode: 'boat', accompanying: false },
    });
    if (r.ok) expect(TravelPlan.safeParse(r.plan).success).toBe(true);
  });

  it('maps a place from the table', () => {
    const r = toTravelPlan({ ...base, origin: placeChoice('radoy'), km: '' }, false);
    expect(r).toEqual({
      ok: true,
      plan: { origin: { kind: 'place', placeId: 'radoy' }, mode: 'car', accompanying: false },
    });
  });

  it('maps no trip, ignoring the km field', () => {
    const r = toTravelPlan({ ...base, origin: 'none', km: 'x' }, false);
    expect(r).toEqual({
      ok: true,
      plan: { origin: { kind: 'none' }, mode: 'car', accompanying: false },
    });
  });

  it('keeps accompanying only where it applies', () => {
    const on = { ...base, mode: 'patient_taxi' as const, accompanying: true };
    expect(toTravelPlan(on, true)).toMatchObject({ ok: true, plan: { accompanying: true } });
    expect(toTravelPlan(on, false)).toMatchObject({ ok: true, plan: { accompanying: false } });
  });

  it('rejects missing, negative, too large or non-numeric km', () => {
    for (const km of ['', '  ', '-1', '3001', 'abc', '1e3', '12,5,1']) {
      expect(toTravelPlan({ ...base, km }, false), km).toEqual({ ok: false, error: 'kmInvalid' });
    }
    expect(parseKm('3000')).toBe(3000);
    expect(parseKm(' 0 ')).toBe(0);
  });

  it('rejects an empty place id', () => {
    expect(toTravelPlan({ ...base, origin: 'place:' }, false)).toEqual({
      ok: false,
      error: 'placeMissing',
    });
  });

  it('starts from the km in the booking', () => {
    expect(initialTravelForm({ travelDistanceKm: 42.5, role: 'patient' })).toEqual({
      origin: 'km',
      km: '42,5',
      mode: 'car',
      accompanying: false,
    });
    expect(initialTravelForm({ travelDistanceKm: 0, role: 'gp' }).origin).toBe('none');
  });

  it('starts from the saved plan when there is one', () => {
    const booking = { travelDistanceKm: 42.5, role: 'municipal' as const };
    expect(
      initialTravelForm(booking, {
        origin: { kind: 'km', oneWayKm: 12.5 },
        mode: 'boat',
        accompanying: true,
      }),
    ).toEqual({ origin: 'km', km: '12,5', mode: 'boat', accompanying: true });
    expect(
      initialTravelForm(booking, {
        origin: { kind: 'place', placeId: 'fedje' },
        mode: 'bus',
        accompanying: false,
      }),
    ).toEqual({ origin: 'place:fedje', km: '42,5', mode: 'bus', accompanying: false });
    expect(
      travelFormFromPlan({ origin: { kind: 'none' }, mode: 'car', accompanying: false }),
    ).toEqual({ origin: 'none', km: '', mode: 'car', accompanying: false });
  });

  it('round-trips a saved plan through the form', () => {
    const plans = [
      { origin: { kind: 'km', oneWayKm: 90 }, mode: 'patient_taxi', accompanying: true },
      { origin: { kind: 'place', placeId: 'radoy' }, mode: 'car', accompanying: false },
      { origin: { kind: 'none' }, mode: 'ambulance', accompanying: false },
    ].map((p) => TravelPlan.parse(p));
    for (const plan of plans) {
      expect(toTravelPlan(travelFormFromPlan(plan, '7'), true)).toEqual({ ok: true, plan });
    }
  });

  it('lets staff accompany, not patients or relatives', () => {
    expect(canAccompany({ role: 'municipal' })).toBe(true);
    expect(canAccompany({ role: 'gp' })).toBe(true);
    expect(canAccompany({ role: 'specialist' })).toBe(false);
    expect(canAccompany({ role: 'patient' })).toBe(false);
    expect(canAccompany({ role: 'next_of_kin' })).toBe(false);
  });
});
