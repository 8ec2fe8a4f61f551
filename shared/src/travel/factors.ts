import { z } from 'zod';

/** Modes of the trip a participant would otherwise have made. */
export const TravelMode = z.enum(['car', 'bus', 'boat', 'patient_taxi', 'ambulance']);
export type TravelMode = z.infer<typeof TravelMode>;
export const TRAVEL_MODES = TravelMode.options;

/**
 * One configured figure with where it comes from. `assumption: true` marks a figure that is
 * our own estimate (to be replaced by a measured or published one), not a quoted number.
 */
export const SourcedFigure = z.object({
  value: z.number().finite().nonnegative(),
  source: z.string().min(1),
  assumption: z.boolean().default(false),
});
export type SourcedFigure = z.infer<typeof SourcedFigure>;

export const ModeFactors = z.object({
  /** kg CO2 per km travelled by this participant with this mode. */
  kgCo2PerKm: SourcedFigure,
  /** Average door-to-door speed including waits (ferry, change), km/h. Must be positive. */
  speedKmh: SourcedFigure.refine((f) => f.value > 0, { message: 'speed must be positive' }),
  /** Reimbursement or cost in NOK per km. */
  costPerKmNok: SourcedFigure,
  /** Fixed cost in NOK per one-way trip (e.g. ambulance call-out); 0 when not used. */
  costPerTripNok: SourcedFigure,
});
export type ModeFactors = z.infer<typeof ModeFactors>;

/** A place a participant may join from, with road distance (one way, km) per destination. */
export const TravelPlace = z.object({
  id: z.string().regex(/^[a-z0-9_-]+$/),
  name: z.string().min(1),
  /** Norwegian municipality number, for the breakdown by municipality. */
  municipalityNumber: z
    .string()
    .regex(/^\d{4}$/)
    .optional(),
  municipality: z.string().min(1),
  /** One-way road distance in km from this place to each destination id. */
  roadKm: z.record(z.string(), z.number().finite().nonnegative()),
});
export type TravelPlace = z.infer<typeof TravelPlace>;

export const TravelDestination = z.object({
  id: z.string().regex(/^[a-z0-9_-]+$/),
  name: z.string().min(1),
});
export type TravelDestination = z.infer<typeof TravelDestination>;

export const TravelFactors = z
  .object({
    /** Free text on the status of the figures, shown with the dashboard. */
    note: z.string().default(''),
    /** Where the meeting would otherwise have been held when the booking says nothing. */
    defaultDestination: z.string(),
    destinations: z.array(TravelDestination).min(1),
    /** Source of the place table's distances, to verify against. */
    placesSource: z.string().min(1),
    places: z.array(TravelPlace),
    modes: z.object({
      car: ModeFactors,
      bus: ModeFactors,
      boat: ModeFactors,
      patient_taxi: ModeFactors,
      ambulance: ModeFactors,
    }),
    /** Published figures used to sanity-check ours; not used in the formulas. */
    references: z.array(z.object({ figure: z.string(), source: z.string() })).default([]),
  })
  .superRefine((f, ctx) => {
    const destinations = new Set(f.destinations.map((d) => d.id));
    if (!destinations.has(f.defaultDestination)) {
      ctx.addIssue({
        code: 'custom',
        path: ['defaultDestination'],
        message: `unknown destination "${f.defaultDestination}"`,
      });
    }
    const seen = new Set<string>();
    f.places.forEach((p, i) => {
      if (seen.has(p.id)) {
        ctx.addIssue({
          code: 'custom',
          path: ['places', i, 'id'],
          message: `duplicate place "${p.id}"`,
        });
      }
      seen.add(p.id);
      for (const d of Object.keys(p.roadKm)) {
        if (!destinations.has(d)) {
          ctx.addIssue({
            code: 'custom',
            path: ['places', i, 'roadKm', d],
            message: `unknown destination "${d}"`,
          });
        }
      }
    });
  });
export type TravelFactors = z.infer<typeof TravelFactors>;
/** What a factor file may contain before defaults are applied. */
export type TravelFactorsInput = z.input<typeof TravelFactors>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Deep merge of plain objects; arrays and scalars in `override` replace those in `base`. A
 * figure (an object with `value`) is replaced whole, so a new value never keeps the old
 * value's source: the override must name its own.
 */
export function mergeFactorOverride(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override) || 'value' in override) {
    return override === undefined ? base : override;
  }
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) out[k] = mergeFactorOverride(base[k], v);
  return out;
}

/**
 * Validates a factor override (a parsed JSON file, full or partial) on top of the shipped
 * defaults. Throws with every problem listed when the result is invalid.
 */
export function parseTravelFactors(override: unknown, defaults: TravelFactorsInput): TravelFactors {
  const parsed = TravelFactors.safeParse(mergeFactorOverride(defaults, override ?? {}));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid travel factors:\n  ${problems.join('\n  ')}`);
  }
  return parsed.data;
}
