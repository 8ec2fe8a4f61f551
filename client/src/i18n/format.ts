import i18next from 'i18next';

/**
 * Locale chains per UI language. Some browsers (Chromium builds with reduced ICU data) lack
 * nynorsk; Intl then takes the next one, bokmål, rather than falling back to en-US.
 */
const LOCALES: Record<string, string[]> = {
  nn: ['nn-NO', 'nb-NO', 'no'],
  nb: ['nb-NO', 'no'],
  en: ['en-GB'],
};

export const locales = (lng: string = i18next.language) => LOCALES[lng] ?? LOCALES.nn!;

const fmt = (iso: string | Date, options: Intl.DateTimeFormatOptions, lng?: string) =>
  new Intl.DateTimeFormat(locales(lng), options).format(
    typeof iso === 'string' ? new Date(iso) : iso,
  );

/** "tysdag 25. november 2026 kl. 09:30" style, in the UI language. */
export const formatDateTime = (iso: string | Date, lng?: string) =>
  fmt(iso, { dateStyle: 'full', timeStyle: 'short' }, lng);
/** "24.11.2026, 23:45": for dense places such as table cells. */
export const formatShortDateTime = (iso: string | Date, lng?: string) =>
  fmt(iso, { dateStyle: 'short', timeStyle: 'short' }, lng);
export const formatDate = (iso: string | Date, lng?: string) =>
  fmt(iso, { weekday: 'long', day: 'numeric', month: 'long' }, lng);
export const formatTime = (iso: string | Date, lng?: string) =>
  fmt(iso, { hour: '2-digit', minute: '2-digit' }, lng);
