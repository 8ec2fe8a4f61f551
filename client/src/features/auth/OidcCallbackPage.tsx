import { useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { errorMessageKey } from '../../api/errors';
import { usePageTitle } from '../../app/usePageTitle';

/** Where the identity provider (HelseID) sends the browser back: finish the login via the API. */
export function OidcCallbackPage() {
  const { t } = useTranslation();
  usePageTitle(t('auth.title'));
  const { api, acceptTokens } = useSession();
  const { search } = useLocation();
  const navigate = useNavigate();
  const [error, setError] = useState<unknown>(undefined);
  const started = useRef(false);

  useEffect(() => {
    // The code is single use: never send it twice (StrictMode runs effects twice).
    if (started.current) return;
    started.current = true;
    api
      .oidcCallback(search)
      .then((tokens) => {
        acceptTokens(tokens);
        void navigate('/', { replace: true });
      })
      .catch(setError);
  }, [api, acceptTokens, navigate, search]);

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
