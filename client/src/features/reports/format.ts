import type { ReportQuery } from '@samkons/shared';
import { formatMonth, locales } from '../../i18n/format';
import type { FeatureLang } from './featureI18n';

export type Preset = 'thisMonth' | 'last12' | 'thisYear';

const pad = (n: number) => String(n).padStart(2, '0');

/** A period ending today: this month, the last 12 whole months plus this one, or this year. */
export function presetPeriod(preset: Preset, today: string): ReportQuery {
  const [y, m] = today.split('-').map(Number) as [number, number];
  switch (preset) {
    case 'thisMonth':
      return { from: `${y}-${pad(m)}-01`, to: today };
    case 'thisYear':
      return { from: `${y}-01-01`, to: today };
    case 'last12': {
      const start = m === 12 ? { y, m: 1 } : { y: y - 1, m: m + 1 };
      return { from: `${start.y}-${pad(start.m)}-01`, to: today };
    }
  }
}

export function formatNumber(n: number, lang: FeatureLang, maxFraction = 1): string {
  return new Intl.NumberFormat(locales(lang), { maximumFractionDigits: maxFraction }).format(n);
}

/** `2024-03` -> "mars 2024" / "March 2024". */
export function monthLabel(month: string, lang: FeatureLang): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return formatMonth(new Date(y, m - 1, 15), lang);
}

/** The CSV file name the server suggests, for the download link. */
export const csvFileName = (q: ReportQuery) => `samkons-evaluering-${q.from}_${q.to}.csv`;
