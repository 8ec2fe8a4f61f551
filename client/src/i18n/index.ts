import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { nn } from './nn';
import { nb } from './nb';
import { en } from './en';

export const LANGUAGES = ['nn', 'nb', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'nn';
export const LANGUAGE_STORAGE_KEY = 'samkons.lang';

export const resources = {
  nn: { translation: nn },
  nb: { translation: nb },
  en: { translation: en },
} as const;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

function storedLanguage(): Language {
  try {
    const value = globalThis.localStorage?.getItem(LANGUAGE_STORAGE_KEY);
    return isLanguage(value) ? value : DEFAULT_LANGUAGE;
  } catch {
    return DEFAULT_LANGUAGE;
  }
}

function applyLanguage(lng: string): void {
  if (typeof document !== 'undefined') document.documentElement.lang = lng;
  try {
    globalThis.localStorage?.setItem(LANGUAGE_STORAGE_KEY, lng);
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

/** Initialises i18next once; returns the shared instance. */
export function initI18n(lng: Language = storedLanguage()) {
  if (!i18next.isInitialized) {
    i18next.on('languageChanged', applyLanguage);
    void i18next.use(initReactI18next).init({
      resources,
      lng,
      fallbackLng: DEFAULT_LANGUAGE,
      supportedLngs: [...LANGUAGES],
      interpolation: { escapeValue: false }, // React escapes.
      returnNull: false,
      initAsync: false,
      showSupportNotice: false,
    });
    applyLanguage(lng);
  }
  return i18next;
}

export function setLanguage(lng: Language): void {
  void i18next.changeLanguage(lng);
}
