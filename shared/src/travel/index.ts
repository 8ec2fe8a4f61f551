import { DEFAULT_TRAVEL_FACTORS } from './default-factors.js';
import { parseTravelFactors, type TravelFactors } from './factors.js';

export * from './factors.js';
export * from './model.js';
export { DEFAULT_TRAVEL_FACTORS };

/** The shipped factors, validated; pass an override (parsed JSON) to replace parts of them. */
export function loadTravelFactors(override?: unknown): TravelFactors {
  return parseTravelFactors(override ?? {}, DEFAULT_TRAVEL_FACTORS);
}
export * from './report.js';
