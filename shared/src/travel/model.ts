import { z } from 'zod';
import { lineText } from '../plain-text.js';
import { TravelMode, type TravelFactors, type TravelPlace } from './factors.js';

/** Languages every explanation is written in. */
export type Lang = 'nn' | 'nb' | 'en';
export const LANGS: readonly Lang[] = ['nn', 'nb', 'en'];
export type Localized = Record<Lang, string>;

/**
 * Where a participant joined from, seen as the trip they would otherwise have made.
 * - `none`: no trip avoided (they were at the meeting place anyway, or would not have come);
 * - `km`: a one-way road distance entered in the booking (optionally with the municipality);
 * - `place`: a place from the configured table of road distances.
 */
export const TravelOrigin = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('none') }),
  z.object({
    kind: z.literal('km'),
    oneWayKm: z.number().finite().nonnegative().max(3000),
    municipality: lineText.trim().min(1).max(100).optional(),
  }),
  z.object({ kind: z.literal('place'), placeId: lineText.min(1).max(64) }),
]);
export type TravelOrigin = z.infer<typeof TravelOrigin>;

/** The trip a participant did not make, as entered for the booking. */
export const TravelPlan = z.object({
  origin: TravelOrigin,
  mode: TravelMode,
  /** Staff (e.g. a home nurse) who would have accompanied the patient: they travel too. */
  accompanying: z.boolean().default(false),
  /** Destination id from the factor table; the configured default when absent. */
  destination: lineText.min(1).max(64).optional(),
});
export type TravelPlan = z.infer<typeof TravelPlan>;
export type TravelPlanInput = z.input<typeof TravelPlan>;

/** The travel plans saved for a consultation, keyed by participant id (only those with one). */
export const ConsultationTravelPlans = z.object({
  consultationId: z.uuid(),
  plans: z.record(z.uuid(), TravelPlan),
});
export type ConsultationTravelPlans = z.infer<typeof ConsultationTravelPlans>;

/** A booking value the factor table cannot resolve (unknown place or destination). */
export class TravelInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TravelInputError';
  }
}

export interface AvoidedTrip {
  mode: TravelMode;
  accompanying: boolean;
  destination: string;
  /** Municipality the trip would have started in, when known. */
  municipality: string | null;
  oneWayKm: number;
  roundTripKm: number;
  hours: number;
  kgCo2: number;
  costNok: number;
  /** The formula in plain words, per figure and language. */
  explanation: { km: Localized; hours: Localized; kgCo2: Localized; costNok: Localized };
}

export interface AvoidedTotals {
  /** Participants with a trip avoided (non-zero distance). */
  trips: number;
  roundTripKm: number;
  hours: number;
  kgCo2: number;
  costNok: number;
}

/** Rounds to 2 decimals without binary noise (0.1 + 0.2 -> 0.3). */
export function round2(n: number): number {
  return Math.round((n + Number.EPSILON) * 100) / 100;
}

/** Numbers in the explanation: up to 2 decimals, decimal comma and space grouping in nn/nb. */
export function formatNumber(n: number, lang: Lang): string {
  const rounded = round2(n);
  const [int = '0', frac] = Math.abs(rounded).toString().split('.');
  const sep = lang === 'en' ? ',' : ' ';
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
  const sign = rounded < 0 ? '-' : '';
  return sign + grouped + (frac ? (lang === 'en' ? '.' : ',') + frac : '');
}

export const MODE_LABELS: Record<TravelMode, Localized> = {
  car: { nn: 'bil', nb: 'bil', en: 'car' },
  bus: { nn: 'buss', nb: 'buss', en: 'bus' },
  boat: { nn: 'båt', nb: 'båt', en: 'boat' },
  patient_taxi: { nn: 'pasienttaxi', nb: 'pasienttaxi', en: 'patient taxi' },
  ambulance: { nn: 'ambulanse', nb: 'ambulanse', en: 'ambulance' },
};

function per(f: (lang: Lang) => string): Localized {
  return { nn: f('nn'), nb: f('nb'), en: f('en') };
}

function findPlace(factors: TravelFactors, id: string): TravelPlace {
  const place = factors.places.find((p) => p.id === id);
  if (!place) throw new TravelInputError(`Unknown place "${id}"`);
  return place;
}

/**
 * The trip one participant did not make: round trip from where they joined to the
 * destination, with travel time, CO2 and cost from the configured factors of the mode.
 */
export function avoidedTrip(input: TravelPlanInput, factors: TravelFactors): AvoidedTrip {
  const plan = TravelPlan.parse(input);
  const destination = plan.destination ?? factors.defaultDestination;
  const dest = factors.destinations.find((d) => d.id === destination);
  if (!dest) throw new TravelInputError(`Unknown destination "${destination}"`);
  const f = factors.modes[plan.mode];
  const n = formatNumber;
  const mode = MODE_LABELS[plan.mode];

  let oneWayKm = 0;
  let municipality: string | null = null;
  let from: Localized | null = null;
  if (plan.origin.kind === 'km') {
    oneWayKm = plan.origin.oneWayKm;
    municipality = plan.origin.municipality ?? null;
    from = {
      nn: 'staden ført i bestillinga',
      nb: 'stedet ført i bestillingen',
      en: 'the place entered in the booking',
    };
  } else if (plan.origin.kind === 'place') {
    const place = findPlace(factors, plan.origin.placeId);
    const km = place.roadKm[destination];
    if (km === undefined) {
      throw new TravelInputError(`No road distance from "${place.id}" to "${destination}"`);
    }
    oneWayKm = km;
    municipality = place.municipality;
    from = per(() => place.name);
  }

  const roundTripKm = round2(oneWayKm * 2);
  const hours = round2(roundTripKm / f.speedKmh.value);
  const kgCo2 = round2(roundTripKm * f.kgCo2PerKm.value);
  const tripCost = roundTripKm > 0 ? 2 * f.costPerTripNok.value : 0;
  const costNok = round2(roundTripKm * f.costPerKmNok.value + tripCost);

  const accompanyingText: Localized = plan.accompanying
    ? { nn: ' (følgjer pasienten)', nb: ' (følger pasienten)', en: ' (accompanying the patient)' }
    : { nn: '', nb: '', en: '' };

  let km: Localized;
  if (roundTripKm === 0) {
    km = {
      nn: `Ingen reise spart: deltok frå staden møtet elles ville vore, eller ville ikkje ha reist = 0 km.`,
      nb: `Ingen reise spart: deltok fra stedet møtet ellers ville vært, eller ville ikke ha reist = 0 km.`,
      en: `No trip avoided: joined from where the meeting would otherwise have been held, or would not have travelled = 0 km.`,
    };
    if (from) {
      const f0 = from;
      km = {
        nn: `Frå ${f0.nn} til ${dest.name}: 0 km × 2 (tur-retur) = 0 km.`,
        nb: `Fra ${f0.nb} til ${dest.name}: 0 km × 2 (tur-retur) = 0 km.`,
        en: `From ${f0.en} to ${dest.name}: 0 km × 2 (round trip) = 0 km.`,
      };
    }
  } else {
    const f0 = from as Localized;
    km = {
      nn: `${capitalise(mode.nn)}${accompanyingText.nn} frå ${f0.nn} til ${dest.name}: ${n(oneWayKm, 'nn')} km × 2 (tur-retur) = ${n(roundTripKm, 'nn')} km.`,
      nb: `${capitalise(mode.nb)}${accompanyingText.nb} fra ${f0.nb} til ${dest.name}: ${n(oneWayKm, 'nb')} km × 2 (tur-retur) = ${n(roundTripKm, 'nb')} km.`,
      en: `${capitalise(mode.en)}${accompanyingText.en} from ${f0.en} to ${dest.name}: ${n(oneWayKm, 'en')} km × 2 (round trip) = ${n(roundTripKm, 'en')} km.`,
    };
  }

  const speed = f.speedKmh.value;
  const hoursText = per(
    (l) =>
      `${n(roundTripKm, l)} km ÷ ${n(speed, l)} ${l === 'en' ? 'km/h' : 'km/t'} (${mode[l]}) = ${n(hours, l)} ${l === 'en' ? 'h' : 't'}.`,
  );
  const co2Text = per(
    (l) =>
      `${n(roundTripKm, l)} km × ${n(f.kgCo2PerKm.value, l)} kg CO2/km (${mode[l]}) = ${n(kgCo2, l)} kg CO2.`,
  );
  const tripWord: Localized = { nn: 'turar', nb: 'turer', en: 'trips' };
  const costText = per((l) => {
    const perKm = `${n(roundTripKm, l)} km × ${n(f.costPerKmNok.value, l)} ${l === 'en' ? 'NOK' : 'kr'}/km`;
    const perTrip =
      tripCost > 0
        ? ` + 2 ${tripWord[l]} × ${n(f.costPerTripNok.value, l)} ${l === 'en' ? 'NOK' : 'kr'}`
        : '';
    return `${perKm}${perTrip} (${mode[l]}) = ${n(costNok, l)} ${l === 'en' ? 'NOK' : 'kr'}.`;
  });

  return {
    mode: plan.mode,
    accompanying: plan.accompanying,
    destination,
    municipality,
    oneWayKm,
    roundTripKm,
    hours,
    kgCo2,
    costNok,
    explanation: { km, hours: hoursText, kgCo2: co2Text, costNok: costText },
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Sums avoided trips; rounding happens once, at the end. */
export function sumAvoided(
  trips: readonly Pick<AvoidedTrip, 'roundTripKm' | 'hours' | 'kgCo2' | 'costNok'>[],
): AvoidedTotals {
  const t = { trips: 0, roundTripKm: 0, hours: 0, kgCo2: 0, costNok: 0 };
  for (const trip of trips) {
    if (trip.roundTripKm > 0) t.trips += 1;
    t.roundTripKm += trip.roundTripKm;
    t.hours += trip.hours;
    t.kgCo2 += trip.kgCo2;
    t.costNok += trip.costNok;
  }
  return {
    trips: t.trips,
    roundTripKm: round2(t.roundTripKm),
    hours: round2(t.hours),
    kgCo2: round2(t.kgCo2),
    costNok: round2(t.costNok),
  };
}

/**
 * The general formulas behind the totals, in plain words, for the dashboard and the CSV
 * header. Factor values are those of the configuration in use.
 */
export function explainTotals(
  totals: AvoidedTotals,
  factors: TravelFactors,
): {
  km: Localized;
  hours: Localized;
  kgCo2: Localized;
  costNok: Localized;
} {
  const n = formatNumber;
  const list = (l: Lang, pick: (m: TravelFactors['modes'][TravelMode]) => number, unit: string) =>
    (Object.keys(factors.modes) as TravelMode[])
      .map((m) => `${MODE_LABELS[m][l]} ${n(pick(factors.modes[m]), l)} ${unit}`)
      .join(', ');
  return {
    km: {
      nn: `Sum for ${totals.trips} reiser som ikkje vart gjort: eingongsavstand × 2 (tur-retur) = ${n(totals.roundTripKm, 'nn')} km.`,
      nb: `Sum for ${totals.trips} reiser som ikke ble gjort: enveisavstand × 2 (tur-retur) = ${n(totals.roundTripKm, 'nb')} km.`,
      en: `Sum over ${totals.trips} trips not made: one-way distance × 2 (round trip) = ${n(totals.roundTripKm, 'en')} km.`,
    },
    hours: {
      nn: `Sum av km ÷ snittfart for kvar reisemåte (${list('nn', (m) => m.speedKmh.value, 'km/t')}) = ${n(totals.hours, 'nn')} t.`,
      nb: `Sum av km ÷ snittfart for hver reisemåte (${list('nb', (m) => m.speedKmh.value, 'km/t')}) = ${n(totals.hours, 'nb')} t.`,
      en: `Sum of km ÷ average speed per mode (${list('en', (m) => m.speedKmh.value, 'km/h')}) = ${n(totals.hours, 'en')} h.`,
    },
    kgCo2: {
      nn: `Sum av km × utslepp per km for kvar reisemåte (${list('nn', (m) => m.kgCo2PerKm.value, 'kg/km')}) = ${n(totals.kgCo2, 'nn')} kg CO2.`,
      nb: `Sum av km × utslipp per km for hver reisemåte (${list('nb', (m) => m.kgCo2PerKm.value, 'kg/km')}) = ${n(totals.kgCo2, 'nb')} kg CO2.`,
      en: `Sum of km × emission per km per mode (${list('en', (m) => m.kgCo2PerKm.value, 'kg/km')}) = ${n(totals.kgCo2, 'en')} kg CO2.`,
    },
    costNok: {
      nn: `Sum av km × sats per km (${list('nn', (m) => m.costPerKmNok.value, 'kr/km')}) + fast sum per tur der det gjeld = ${n(totals.costNok, 'nn')} kr.`,
      nb: `Sum av km × sats per km (${list('nb', (m) => m.costPerKmNok.value, 'kr/km')}) + fast beløp per tur der det gjelder = ${n(totals.costNok, 'nb')} kr.`,
      en: `Sum of km × rate per km (${list('en', (m) => m.costPerKmNok.value, 'NOK/km')}) + a fixed amount per trip where it applies = ${n(totals.costNok, 'en')} NOK.`,
    },
  };
}
