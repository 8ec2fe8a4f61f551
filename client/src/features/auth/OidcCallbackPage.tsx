import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { errorMessageKey } from '../../api/errors';
import { usePageTitle } from '../../app/usePageTitle';
import { useOnceCallback } from './useOnceCallback';

/** Where the identity provider (HelseID) sends the browser back: finish the login via the API. */
export function OidcCallbackPage() {
  const { t } = useTranslation();
  usePageTitle(t('auth.title'));
  const { api, acceptTokens } = useSession();
  const { search } = useLocation();
  const navigate = useNavigate();
  const error = useOnceCallback(async () => {
    acceptTokens(await api.oidcCallback(search));
    void navigate('/', { replace: true });
  });

  if (error === undefined) return <p role="status">{t('auth.submitting')}</p>;
  return (
    <>
      <h1>{t('auth.title')}</h1>
      <div className="alert alert--error" role="alert">
        {t(errorMessageKey(error))}
      </div>
      <Link to="/login">{t('auth.title')}</Link>
    </>
  );
}
