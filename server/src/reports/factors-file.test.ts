import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { avoidedTrip, loadTravelFactors } from '@samkons/shared';
import { loadConfig } from '../config.js';
import { loadTravelFactorsFile } from './index.js';

describe('travel factors file (SAMKONS_TRAVEL_FACTORS)', () => {
  it('ships defaults when no file is configured', async () => {
    const config = loadConfig({});
    expect(config.reports.travelFactorsFile).toBeUndefined();
    expect(await loadTravelFactorsFile(config.reports.travelFactorsFile)).toEqual(
      loadTravelFactors(),
    );
  });

  it('overrides factors from the JSON file the env var names', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'samkons-factors-'));
    const file = path.join(dir, 'factors.json');
    await writeFile(
      file,
      JSON.stringify({
        modes: { car: { kgCo2PerKm: { value: 0.08, source: 'Measured fleet 2025 (test)' } } },
      }),
    );
    const config = loadConfig({ SAMKONS_TRAVEL_FACTORS: file, REPORTING_USERNAMES: 'a, b,,' });
    expect(config.reports.reportingUsernames).toEqual(['a', 'b']);
    const factors = await loadTravelFactorsFile(config.reports.travelFactorsFile);
    expect(factors.modes.car.kgCo2PerKm.source).toBe('Measured fleet 2025 (test)');
    const trip = avoidedTrip({ origin: { kind: 'km', oneWayKm: 90 }, mode: 'car' }, factors);
    expect(trip.kgCo2).toBe(14.4);
  });

  it('refuses a file that is not valid JSON or not valid factors', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'samkons-factors-'));
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{ not json');
    await expect(loadTravelFactorsFile(broken)).rejects.toThrow(/Cannot read travel factors/);
    const invalid = path.join(dir, 'invalid.json');
    await writeFile(
      invalid,
      JSON.stringify({ modes: { bus: { speedKmh: { value: -3, source: 'x' } } } }),
    );
    await expect(loadTravelFactorsFile(invalid)).rejects.toThrow(/modes\.bus\.speedKmh/);
    await expect(loadTravelFactorsFile(path.join(dir, 'missing.json'))).rejects.toThrow(
      /Cannot read/,
    );
  });
});
