import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../api/session';
import { errorMessageKey, isApiError } from '../../api/errors';
import { usePageTitle } from '../../app/usePageTitle';
import { patientEidName, useAuthProviders } from './useAuthProviders';
import './auth.css';

export function LoginPage() {
  const { t } = useTranslation();
  usePageTitle(t('auth.title'));
  const { account, login, expired, api } = useSession();
  const providers = useAuthProviders();
  const navigate = useNavigate();
  const location = useLocation();
  const state = location.state as { from?: string; patient?: 'expired' | 'required' } | null;
  const from = state?.from ?? '/';
  // Sent back here from /pasient: the patient token ended (or there was none).
  const patientNotice = state?.patient;
  const eidName = patientEidName(providers);

  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ text: string; n: number } | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);

  // Focus the message so it is read out and the user knows where they are.
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  if (account) return <Navigate to={from} replace />;

  const fail = (text: string) => setError((e) => ({ text, n: (e?.n ?? 0) + 1 }));

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!username.trim() || !password) return fail(t('auth.required'));
    setBusy(true);
    setError(null);
    try {
      await login({ username: username.trim(), password });
      void navigate(from, { replace: true });
    } catch (err) {
      const wrong = isApiError(err) && (err.code === 'unauthenticated' || err.code === 'forbidden');
      fail(wrong ? t('auth.wrongCredentials') : t(errorMessageKey(err)));
    } finally {
      setBusy(false);
    }
  };

  // The patient entry: the login's state is kept by the server; nothing is stored here.
  const onPatientEid = async () => {
    setBusy(true);
    try {
      window.location.assign((await api.patientEidStart()).authorizationUrl);
    } catch (err) {
      setBusy(false);
      fail(t(errorMessageKey(err)));
    }
  };

  const onOidc = async () => {
    setBusy(true);
    try {
      window.location.assign((await api.oidcStart()).authorizationUrl);
    } catch (err) {
      setBusy(false);
      fail(t(errorMessageKey(err)));
    }
  };

  return (
    <div className="login">
      <h1>{t('auth.title')}</h1>
      <p>{providers.patientOidc ? t('auth.introStaff') : t('auth.intro')}</p>

      {expired && !error && (
        <div className="alert alert--info" role="status">
          {t('auth.sessionExpired')}
        </div>
      )}
      {error && (
        <div className="alert alert--error" role="alert" tabIndex={-1} ref={errorRef}>
          {error.text}
        </div>
      )}

      <form onSubmit={(e) => void onSubmit(e)} noValidate aria-describedby={undefined}>
        <div className="field">
          <label htmlFor="login-username">{t('auth.username')}</label>
          <input
            id="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="login-password">{t('auth.password')}</label>
          <input
            id="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </div>
        <button type="submit" className="button button--large" aria-disabled={busy}>
          {busy ? t('auth.submitting') : t('auth.submit')}
        </button>
      </form>

      {providers.oidc && (
        <>
          <p className="login__or">{t('auth.or')}</p>
          <button
            type="button"
            className="button button--secondary button--large"
            disabled={busy}
            onClick={() => void onOidc()}
          >
            {t('auth.helseId')}
          </button>
        </>
      )}

      {providers.patientOidc && (
        <section className="login__patient" aria-labelledby="login-patient-heading">
          <h2 id="login-patient-heading">{t('auth.patientHeading')}</h2>
          {patientNotice && (
            <div className="alert alert--info" role="status" data-testid="patient-notice">
              {patientNotice === 'expired'
                ? t('auth.patientExpired', { name: eidName })
                : t('auth.patientRequired', { name: eidName })}
            </div>
          )}
          <p>{t('auth.patientIntro', { name: eidName })}</p>
          <button
            type="button"
            className="button button--large"
            disabled={busy}
            onClick={() => void onPatientEid()}
          >
            {t('auth.patientLogin', { name: eidName })}
          </button>
        </section>
      )}
    </div>
  );
}
