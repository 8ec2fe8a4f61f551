import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TRAVEL_FACTORS,
  TravelInputError,
  avoidedTrip,
  explainTotals,
  formatNumber,
  loadTravelFactors,
  sumAvoided,
} from './index.js';

const factors = loadTravelFactors();
const car = factors.modes.car;

describe('avoided trip', () => {
  it('patient (90 km each way by car) and accompanying home nurse from home: 360 km', () => {
    const patient = avoidedTrip({ origin: { kind: 'km', oneWayKm: 90 }, mode: 'car' }, factors);
    const nurse = avoidedTrip(
      { origin: { kind: 'km', oneWayKm: 90 }, mode: 'car', accompanying: true },
      factors,
    );
    const total = sumAvoided([patient, nurse]);

    expect(patient.roundTripKm).toBe(180);
    expect(nurse.roundTripKm).toBe(180);
    expect(total.trips).toBe(2);
    expect(total.roundTripKm).toBe(360);
    // Time, CO2 and cost follow the configured car factors.
    expect(total.hours).toBeCloseTo(360 / car.speedKmh.value, 2);
    expect(total.kgCo2).toBeCloseTo(360 * car.kgCo2PerKm.value, 2);
    expect(total.costNok).toBeCloseTo(
      360 * car.costPerKmNok.value + 4 * car.costPerTripNok.value,
      2,
    );
    // With the shipped defaults: 60 km/h, 0.12 kg/km, 2.50 NOK/km.
    expect(total).toEqual({ trips: 2, roundTripKm: 360, hours: 6, kgCo2: 43.2, costNok: 900 });
  });

  it('explains each figure in nynorsk, bokmål and English', () => {
    const nurse = avoidedTrip(
      { origin: { kind: 'km', oneWayKm: 90 }, mode: 'car', accompanying: true },
      factors,
    );
    expect(nurse.explanation.km.nn).toContain('90 km × 2 (tur-retur) = 180 km');
    expect(nurse.explanation.km.nn).toContain('følgjer pasienten');
    expect(nurse.explanation.km.nb).toContain('følger pasienten');
    expect(nurse.explanation.km.en).toContain('90 km × 2 (round trip) = 180 km');
    expect(nurse.explanation.hours.nn).toBe('180 km ÷ 60 km/t (bil) = 3 t.');
    expect(nurse.explanation.hours.en).toBe('180 km ÷ 60 km/h (car) = 3 h.');
    expect(nurse.explanation.kgCo2.nb).toBe('180 km × 0,12 kg CO2/km (bil) = 21,6 kg CO2.');
    expect(nurse.explanation.kgCo2.en).toBe('180 km × 0.12 kg CO2/km (car) = 21.6 kg CO2.');
    expect(nurse.explanation.costNok.nn).toBe('180 km × 2,5 kr/km (bil) = 450 kr.');
    expect(nurse.explanation.costNok.en).toBe('180 km × 2.5 NOK/km (car) = 450 NOK.');
  });

  it('a participant who was at the hospital anyway counts zero', () => {
    for (const origin of [
      { kind: 'none' as const },
      { kind: 'place' as const, placeId: 'haukeland' },
    ]) {
      const t = avoidedTrip({ origin, mode: 'car' }, factors);
      expect(t).toMatchObject({ roundTripKm: 0, hours: 0, kgCo2: 0, costNok: 0 });
      expect(t.explanation.km.nn).toContain('0 km');
    }
    // A fixed per-trip cost is not charged for a trip that was never going to happen.
    const amb = avoidedTrip({ origin: { kind: 'none' }, mode: 'ambulance' }, factors);
    expect(amb.costNok).toBe(0);
    expect(sumAvoided([amb]).trips).toBe(0);
  });

  it('takes distances from the place table and names the municipality', () => {
    const t = avoidedTrip({ origin: { kind: 'place', placeId: 'gulen' }, mode: 'bus' }, factors);
    const km = DEFAULT_TRAVEL_FACTORS.places.find((p) => p.id === 'gulen')!.roadKm.haukeland;
    expect(t.oneWayKm).toBe(km);
    expect(t.roundTripKm).toBe(km * 2);
    expect(t.municipality).toBe('Gulen');
    expect(t.kgCo2).toBeCloseTo(km * 2 * factors.modes.bus.kgCo2PerKm.value, 2);
    expect(t.explanation.km.nn).toContain('Gulen (Eivindvik)');
  });

  it('adds the fixed per-trip cost twice for a round trip', () => {
    const t = avoidedTrip({ origin: { kind: 'km', oneWayKm: 50 }, mode: 'ambulance' }, factors);
    const a = factors.modes.ambulance;
    expect(t.costNok).toBe(100 * a.costPerKmNok.value + 2 * a.costPerTripNok.value);
    expect(t.explanation.costNok.nn).toContain('+ 2 turar ×');
  });

  it('rejects unknown places and destinations', () => {
    expect(() =>
      avoidedTrip({ origin: { kind: 'place', placeId: 'oslo' }, mode: 'car' }, factors),
    ).toThrow(TravelInputError);
    expect(() =>
      avoidedTrip(
        { origin: { kind: 'km', oneWayKm: 5 }, mode: 'car', destination: 'nowhere' },
        factors,
      ),
    ).toThrow(TravelInputError);
    expect(() =>
      avoidedTrip({ origin: { kind: 'km', oneWayKm: -1 }, mode: 'car' }, factors),
    ).toThrow();
  });
});

describe('factor configuration', () => {
  it('names a source for every factor of every mode', () => {
    for (const mode of Object.values(factors.modes)) {
      for (const figure of Object.values(mode)) expect(figure.source.length).toBeGreaterThan(5);
    }
  });

  it('an override replaces factors and drives the formulas', () => {
    const f = loadTravelFactors({
      modes: {
        car: {
          kgCo2PerKm: { value: 0.2, source: 'test override' },
          speedKmh: { value: 90, source: 'test', assumption: true },
        },
      },
    });
    // A figure is replaced whole: the old source and assumption flag do not linger.
    expect(f.modes.car.kgCo2PerKm).toEqual({
      value: 0.2,
      source: 'test override',
      assumption: false,
    });
    // Untouched parts keep the shipped values and sources.
    expect(f.modes.car.costPerKmNok).toEqual(car.costPerKmNok);
    expect(f.modes.bus).toEqual(factors.modes.bus);
    const t = avoidedTrip({ origin: { kind: 'km', oneWayKm: 90 }, mode: 'car' }, f);
    expect(t.kgCo2).toBe(36);
    expect(t.hours).toBe(2);
  });

  it('rejects invalid overrides with the path of each problem', () => {
    // A new value without its source is refused.
    expect(() => loadTravelFactors({ modes: { car: { speedKmh: { value: 70 } } } })).toThrow(
      /modes\.car\.speedKmh\.source/,
    );
    expect(() =>
      loadTravelFactors({ modes: { car: { speedKmh: { value: 0, source: 's' } } } }),
    ).toThrow(/modes\.car\.speedKmh: speed must be positive/);
    expect(() =>
      loadTravelFactors({ modes: { bus: { kgCo2PerKm: { value: -1, source: 's' } } } }),
    ).toThrow(/modes\.bus\.kgCo2PerKm\.value/);
    expect(() => loadTravelFactors({ defaultDestination: 'tromso' })).toThrow(/defaultDestination/);
    expect(() =>
      loadTravelFactors({
        places: [{ id: 'x', name: 'X', municipality: 'X', roadKm: { oslo: 3 } }],
      }),
    ).toThrow(/unknown destination/);
  });
});

describe('totals and number format', () => {
  it('formats numbers per language', () => {
    expect(formatNumber(1817351.5, 'nn')).toBe('1 817 351,5');
    expect(formatNumber(1817351.5, 'en')).toBe('1,817,351.5');
    expect(formatNumber(0.1 + 0.2, 'nb')).toBe('0,3');
  });

  it('explains totals with the configured factors', () => {
    const totals = sumAvoided([{ roundTripKm: 180, hours: 3, kgCo2: 21.6, costNok: 450 }]);
    const e = explainTotals(totals, factors);
    expect(e.km.nn).toContain('= 180 km');
    expect(e.kgCo2.en).toContain('car 0.12 kg/km');
    expect(e.hours.nb).toContain('bil 60 km/t');
  });
});
