import i18next from 'i18next';
import { useTranslation } from 'react-i18next';
import { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, type Language } from '../../i18n';

/** The app's languages: every feature bundle has all of them. */
export type FeatureLang = Language;

/**
 * Feature strings live beside the feature as an i18next namespace of their own, added to
 * the app's i18next instance on first use. Keys are flat (no dots) and typed per feature.
 */
export function registerBundle(ns: string, bundles: Record<FeatureLang, Record<string, string>>) {
  for (const lng of LANGUAGES) {
    if (!i18next.hasResourceBundle(lng, ns)) {
      i18next.addResourceBundle(lng, ns, bundles[lng], true, false);
    }
  }
}

export type FeatureT<M> = (key: keyof M & string, vars?: Record<string, string | number>) => string;

/** `t` for one feature namespace; re-renders on language change like `useTranslation`. */
export function useFeatureT<M extends Record<string, string>>(
  ns: string,
  bundles: Record<FeatureLang, M>,
): { t: FeatureT<M>; lang: FeatureLang } {
  registerBundle(ns, bundles);
  const { i18n } = useTranslation();
  const current = i18n.resolvedLanguage ?? i18n.language;
  const lang = isLanguage(current) ? current : DEFAULT_LANGUAGE;
  const t: FeatureT<M> = (key, vars) => featureT(ns, lang, key, vars);
  return { t, lang };
}

/** One feature string. The app's `t` is typed to its own keys; these go through the core. */
export function featureT(
  ns: string,
  lng: FeatureLang,
  key: string,
  vars?: Record<string, string | number>,
): string {
  const raw = i18next.t.bind(i18next) as unknown as (key: string, opts: object) => string;
  return raw(key, { ns, lng, ...vars });
}
