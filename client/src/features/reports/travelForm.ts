import {
  isStaffRole,
  type Participant,
  type TravelMode,
  type TravelPlan,
  type TravelPlanInput,
} from '@samkons/shared';

/** Largest one-way distance the server accepts (shared TravelOrigin). */
export const TRAVEL_KM_MAX = 3000;

/**
 * Where the trip would have started, as one select value: no trip, a distance typed in, or
 * a place from the configured table (`place:<id>`).
 */
export type OriginChoice = 'none' | 'km' | `place:${string}`;

/** What the travel form of one participant holds; km as typed (decimal comma allowed). */
export interface TravelFormState {
  origin: OriginChoice;
  km: string;
  mode: TravelMode;
  accompanying: boolean;
}

export type TravelFormError = 'kmInvalid' | 'placeMissing';

export type TravelFormResult =
  { ok: true; plan: TravelPlanInput } | { ok: false; error: TravelFormError };

export const placeChoice = (placeId: string): OriginChoice => `place:${placeId}`;

/**
 * Staff outside the hospital (a home nurse, the GP) can accompany the patient there; the
 * specialist is the one travelled to, and patients and relatives do not accompany.
 */
export const canAccompany = (p: Pick<Participant, 'role'>): boolean =>
  isStaffRole(p.role) && p.role !== 'specialist';

/** A distance as the km field shows it (decimal comma). */
const kmText = (km: number): string => String(km).replace('.', ',');

/**
 * Starting values: the saved plan when there is one, else from the booking (the km it
 * holds, or no trip when it says 0 km).
 */
export function initialTravelForm(
  p: Pick<Participant, 'travelDistanceKm' | 'role'>,
  saved?: TravelPlan,
): TravelFormState {
  const bookingKm = p.travelDistanceKm > 0 ? kmText(p.travelDistanceKm) : '';
  if (saved) return travelFormFromPlan(saved, bookingKm);
  return {
    origin: p.travelDistanceKm > 0 ? 'km' : 'none',
    km: bookingKm,
    mode: 'car',
    accompanying: false,
  };
}

/**
 * A saved plan (GET .../travel) -> form state. `fallbackKm` fills the km field when the
 * plan has no distance of its own (no trip, or a place), so switching to "enter km" starts
 * from the booking. The form does not edit a plan's destination or municipality.
 */
export function travelFormFromPlan(plan: TravelPlan, fallbackKm = ''): TravelFormState {
  const o = plan.origin;
  return {
    origin: o.kind === 'place' ? placeChoice(o.placeId) : o.kind,
    km: o.kind === 'km' ? kmText(o.oneWayKm) : fallbackKm,
    mode: plan.mode,
    accompanying: plan.accompanying,
  };
}

/** Parses a typed distance: "12,5" or "12.5"; null when not a number in range. */
export function parseKm(text: string): number | null {
  const s = text.trim().replace(/\s/g, '').replace(',', '.');
  if (!/^\d+(\.\d+)?$/.test(s)) return null;
  const n = Number(s);
  return Number.isFinite(n) && n >= 0 && n <= TRAVEL_KM_MAX ? n : null;
}

/** Form state -> the body of PUT .../participants/:id/travel, or what is wrong with it. */
export function toTravelPlan(state: TravelFormState, accompanyAllowed: boolean): TravelFormResult {
  const accompanying = accompanyAllowed && state.accompanying;
  if (state.origin === 'none') {
    return { ok: true, plan: { origin: { kind: 'none' }, mode: state.mode, accompanying } };
  }
  if (state.origin === 'km') {
    const oneWayKm = parseKm(state.km);
    if (oneWayKm === null) return { ok: false, error: 'kmInvalid' };
    return { ok: true, plan: { origin: { kind: 'km', oneWayKm }, mode: state.mode, accompanying } };
  }
  const placeId = state.origin.slice('place:'.length);
  if (!placeId) return { ok: false, error: 'placeMissing' };
  return { ok: true, plan: { origin: { kind: 'place', placeId }, mode: state.mode, accompanying } };
}
