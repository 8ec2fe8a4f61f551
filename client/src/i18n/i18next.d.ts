import type { Messages } from './nn';

// Typed keys: t('unknown.key') is a compile error. `Messages` (string values, not literals)
// keeps interpolation values free to be numbers.
declare module 'i18next' {
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: Messages };
  }
}
