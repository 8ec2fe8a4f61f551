import { readFile } from 'node:fs/promises';
import { loadTravelFactors, type TravelFactors } from '@samkons/shared';
import type { Database } from '../db/database.js';
import { migrate } from '../db/migrate.js';
import { reportsMigrations } from './migrations.js';
import { ReportsService } from './service.js';

export { ReportsService } from './service.js';
export { reportsRoutes, registerReports, type ReportsRoutesOptions } from './routes.js';
export { reportsMigrations } from './migrations.js';

/**
 * The shipped travel factors, overridden by the JSON file at `file` when given
 * (SAMKONS_TRAVEL_FACTORS). Invalid files stop the start with every problem listed.
 */
export async function loadTravelFactorsFile(file: string | undefined): Promise<TravelFactors> {
  if (!file) return loadTravelFactors();
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read travel factors from ${file}: ${(err as Error).message}`);
  }
  return loadTravelFactors(parsed);
}

/** Applies the reports schema (after the domain's) and builds the service. */
export async function createReports(
  db: Database,
  opts: { travelFactorsFile?: string | undefined } = {},
): Promise<ReportsService> {
  const factors = await loadTravelFactorsFile(opts.travelFactorsFile);
  await migrate(db, reportsMigrations);
  return new ReportsService(db, factors);
}
