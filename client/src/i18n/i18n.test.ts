import { describe, expect, it } from 'vitest';
import { resources, LANGUAGES } from './index';

type Tree = { readonly [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, path)) out.set(k, v);
  }
  return out;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

describe('i18n resources', () => {
  const flat = Object.fromEntries(
    LANGUAGES.map((lng) => [lng, flatten(resources[lng].translation as Tree)]),
  );
  const allKeys = new Set(LANGUAGES.flatMap((lng) => [...flat[lng]!.keys()]));

  it.each(LANGUAGES)('%s has every key, none empty', (lng) => {
    const keys = flat[lng]!;
    const missing = [...allKeys].filter((k) => !keys.has(k));
    expect(missing).toEqual([]);
    const empty = [...keys].filter(([, v]) => v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('uses the same placeholders in every language', () => {
    const mismatches: string[] = [];
    for (const key of allKeys) {
      const expected = placeholders(flat.nn!.get(key) ?? '');
      for (const lng of LANGUAGES) {
        const got = placeholders(flat[lng]!.get(key) ?? '');
        if (got.join() !== expected.join()) mismatches.push(`${lng}:${key}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('names the roles as the product requires', () => {
    expect(resources.nn.translation.roles).toEqual({
      specialist: 'spesialist',
      gp: 'fastlege',
      municipal: 'kommunal helseteneste',
      patient: 'pasient',
      next_of_kin: 'pårørande',
      interpreter: 'tolk',
    });
    expect(resources.nb.translation.roles).toMatchObject({
      municipal: 'kommunal helsetjeneste',
      next_of_kin: 'pårørende',
    });
  });
});
