import { Link, useRouteError } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { usePageTitle } from './usePageTitle';

export function NotFound() {
  const { t } = useTranslation();
  usePageTitle(t('app.notFoundTitle'));
  return (
    <>
      <h1>{t('app.notFoundTitle')}</h1>
      <p>{t('app.notFoundBody')}</p>
      <Link to="/">{t('app.goHome')}</Link>
    </>
  );
}

/** Last resort for a render error inside a route. */
export function RouteError() {
  const { t } = useTranslation();
  const error = useRouteError();
  console.error(error);
  return (
    <main className="main" id="main">
      <h1>{t('app.errorBoundaryTitle')}</h1>
      <p>{t('app.errorBoundaryBody')}</p>
      <a href="/">{t('app.goHome')}</a>
    </main>
  );
}
