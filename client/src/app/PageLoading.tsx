import { useTranslation } from 'react-i18next';
import './layout.css';

/**
 * What shows while a page's code arrives (the first page, or the next one on a slow line).
 * The text fades in after a moment, so a fast load shows no flash of "loading".
 */
export function PageLoading() {
  const { t } = useTranslation();
  return (
    <main className="main" id="main" aria-busy="true">
      <p className="page-loading" role="status">
        {t('app.loading')}
      </p>
    </main>
  );
}
