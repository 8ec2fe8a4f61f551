import { describe, expect, it } from 'vitest';
import i18next from 'i18next';
import {
  ALL_SURVEY_QUESTIONS,
  ConsultationKind,
  ReportQuery,
  Role,
  TRAVEL_MODES,
} from '@samkons/shared';
import { reportsMessages } from './i18n';
import { surveyMessages } from '../survey/i18n';
import { featureT, registerBundle } from './featureI18n';
import { formatNumber, monthLabel, presetPeriod } from './format';

describe('feature strings', () => {
  for (const [ns, bundles] of Object.entries({
    reports: reportsMessages,
    survey: surveyMessages,
  })) {
    it(`${ns}: every key in nn, nb and en, none empty, same placeholders`, () => {
      const keys = Object.keys(bundles.nn).sort();
      for (const lng of ['nb', 'en'] as const) {
        expect(Object.keys(bundles[lng]).sort()).toEqual(keys);
      }
      for (const lng of ['nn', 'nb', 'en'] as const) {
        const b = bundles[lng] as Record<string, string>;
        for (const k of keys) {
          expect(b[k]!.trim(), `${ns}.${lng}.${k}`).not.toBe('');
          const vars = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();
          expect(vars(b[k]!), `${ns}.${lng}.${k}`).toEqual(
            vars((bundles.nn as Record<string, string>)[k]!),
          );
        }
      }
    });
  }

  it('labels every kind, role, mode and survey question the server can send', () => {
    const keys = new Set(Object.keys(reportsMessages.nn));
    for (const k of ConsultationKind.options) expect(keys).toContain(`kind_${k}`);
    for (const r of Role.options) expect(keys).toContain(`role_${r}`);
    for (const m of TRAVEL_MODES) expect(keys).toContain(`mode_${m}`);
    for (const q of ALL_SURVEY_QUESTIONS) expect(keys).toContain(`score_${q}`);
  });

  it('registers as i18next namespaces and interpolates', async () => {
    await i18next.init({ lng: 'nn', fallbackLng: 'nn', resources: {}, initAsync: false });
    registerBundle('reports', reportsMessages);
    registerBundle('reports', reportsMessages); // idempotent
    expect(featureT('reports', 'nn', 'valueKm', { value: '360' })).toBe('360 km');
    expect(featureT('reports', 'en', 'km')).toBe('Km avoided');
    expect(featureT('reports', 'nb', 'km')).toBe('Km spart');
  });
});

describe('period presets and formats', () => {
  it('gives valid periods ending today', () => {
    expect(presetPeriod('thisMonth', '2025-03-17')).toEqual({
      from: '2025-03-01',
      to: '2025-03-17',
    });
    expect(presetPeriod('thisYear', '2025-03-17')).toEqual({
      from: '2025-01-01',
      to: '2025-03-17',
    });
    expect(presetPeriod('last12', '2025-03-17')).toEqual({ from: '2024-04-01', to: '2025-03-17' });
    expect(presetPeriod('last12', '2025-12-02')).toEqual({ from: '2025-01-01', to: '2025-12-02' });
    for (const p of ['thisMonth', 'last12', 'thisYear'] as const) {
      expect(ReportQuery.safeParse(presetPeriod(p, '2025-01-31')).success).toBe(true);
    }
  });

  it('formats numbers and months per language', () => {
    expect(formatNumber(43.2, 'nn')).toBe('43,2');
    expect(formatNumber(43.2, 'en')).toBe('43.2');
    expect(formatNumber(1817351, 'en', 0)).toBe('1,817,351');
    expect(monthLabel('2024-03', 'nb')).toBe('mars 2024');
    expect(monthLabel('2024-03', 'en')).toBe('March 2024');
  });
});
