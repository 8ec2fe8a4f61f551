import type { nn } from './nn';

// Typed keys: t('unknown.key') is a compile error.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: typeof nn };
  }
}
