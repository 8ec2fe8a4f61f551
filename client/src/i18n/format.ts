import i18next from 'i18next';
import { format, isValid, parse } from 'date-fns';
import { enGB, nb, nn, type Locale } from 'date-fns/locale';

/**
 * The one place dates and times become text, in the UI language. Names come from
 * date-fns' own locale data, not the browser's Intl: Debian's Chromium has only bokmål
 * date data, so Intl printed "tirsdag" on a nynorsk page. 24-hour clock everywhere.
 */

/** Intl locale chains, for numbers only (Intl's number data is complete everywhere). */
const LOCALES: Record<string, string[]> = {
  nn: ['nn-NO', 'nb-NO', 'no'],
  nb: ['nb-NO', 'no'],
  en: ['en-GB'],
};
export const locales = (lng: string = i18next.language) => LOCALES[lng] ?? LOCALES.nn!;

const DATE_LOCALES: Record<string, Locale> = { nn, nb, en: enGB };
const localeOf = (lng: string = i18next.language): Locale => DATE_LOCALES[lng] ?? nn;
const norwegian = (lng: string = i18next.language) => lng !== 'en';

/**
 * A bare `YYYY-MM-DD` (a due date, a report day) is a calendar date, not UTC midnight:
 * `new Date('2026-12-01')` is 30 November in any zone west of Greenwich.
 */
const CALENDAR_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const asDate = (d: string | Date) => {
  if (typeof d !== 'string') return d;
  const day = CALENDAR_DATE.exec(d);
  return day ? new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])) : new Date(d);
};
const fmt = (d: string | Date, pattern: string, lng?: string) =>
  format(asDate(d), pattern, { locale: localeOf(lng) });

/** "tysdag 25. november 2026 kl. 09:30" / "Tuesday 25 November 2026 at 09:30". */
export const formatDateTime = (d: string | Date, lng?: string) =>
  fmt(d, norwegian(lng) ? "EEEE d. MMMM yyyy 'kl.' HH:mm" : "EEEE d MMMM yyyy 'at' HH:mm", lng);
/** "24.11.2026, 23:45": for dense places such as table cells. */
export const formatShortDateTime = (d: string | Date, lng?: string) =>
  fmt(d, norwegian(lng) ? 'dd.MM.yyyy, HH:mm' : 'dd/MM/yyyy, HH:mm', lng);
/**
 * "tysdag 25. november" / "Tuesday 25 November"; with the year when it is not this year's
 * ("fredag 31. januar 2031"), so a due date years ahead is not read as this winter.
 */
export const formatDate = (d: string | Date, lng?: string, now: Date = new Date()) => {
  const date = asDate(d);
  const year = date.getFullYear() === now.getFullYear() ? '' : ' yyyy';
  return fmt(date, (norwegian(lng) ? 'EEEE d. MMMM' : 'EEEE d MMMM') + year, lng);
};
/** "09:30". */
export const formatTime = (d: string | Date, lng?: string) => fmt(d, 'HH:mm', lng);
/** "mars 2024" / "March 2024". */
export const formatMonth = (d: string | Date, lng?: string) => fmt(d, 'LLLL yyyy', lng);

/** Today's calendar date in Europe/Oslo as `YYYY-MM-DD` (due dates, report periods). */
export const osloToday = (now: Date = new Date()) =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(now);

// --- date and time fields --------------------------------------------------------------
// Typed as dd.mm.åååå and tt:mm in every language (the Norwegian way, also in English:
// the app is used in Norway), never the browser's mm/dd/yyyy or AM/PM.

/** The pattern a date field shows and accepts. */
export const DATE_INPUT_PATTERN = 'dd.MM.yyyy';
export const TIME_INPUT_PATTERN = 'HH:mm';

/** "01.12.2026". */
export const toDateInput = (d: Date) => format(d, DATE_INPUT_PATTERN);
/** "09:30". */
export const toTimeInput = (d: Date) => format(d, TIME_INPUT_PATTERN);

/**
 * Reads "1.12.2026", "01.12.2026", "1/12/2026" or "2026-12-01" as a calendar date; null
 * when it is not a real date (31.02 is not).
 */
export function parseDateInput(text: string): { y: number; m: number; d: number } | null {
  const s = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  const nor = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(s);
  const parts = iso
    ? { y: Number(iso[1]), m: Number(iso[2]), d: Number(iso[3]) }
    : nor
      ? { y: Number(nor[3]), m: Number(nor[2]), d: Number(nor[1]) }
      : null;
  if (!parts) return null;
  const date = parse(`${parts.d}.${parts.m}.${parts.y}`, 'd.M.yyyy', new Date(2000, 0, 1));
  return isValid(date) && date.getDate() === parts.d ? parts : null;
}

/** Reads "9:30", "09:30" or "0930" on the 24-hour clock; null otherwise. */
export function parseTimeInput(text: string): { h: number; min: number } | null {
  const m = /^(\d{1,2})[:.]?(\d{2})$/.exec(text.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? { h, min } : null;
}

/** The local instant of a date field and a time field, or null when either is invalid. */
export function fromInputs(date: string, time: string): Date | null {
  const d = parseDateInput(date);
  const t = parseTimeInput(time);
  return d && t ? new Date(d.y, d.m - 1, d.d, t.h, t.min) : null;
}
