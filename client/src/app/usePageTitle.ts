import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';

/** Sets document.title so screen readers and tabs name the page. */
export function usePageTitle(page: string): void {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = t('app.pageTitle', { page });
  }, [page, t]);
}
