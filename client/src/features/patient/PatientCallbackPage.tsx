import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../../app/usePageTitle';
import { savePatientLogin, useApi } from '../../api/session';
import { patientEidName, useAuthProviders } from '../auth/useAuthProviders';
import { useOnceCallback } from '../auth/useOnceCallback';
import { patientLoginFailureKey } from './failures';
import './patient.css';

/**
 * Where the patient eID (ID-porten) sends the browser back after a login on the login
 * page: finish it via the API once (the code is single use), keep the patient token for
 * this tab and show the person's meetings.
 */
export function PatientCallbackPage() {
  const { t } = useTranslation();
  usePageTitle(t('patient.callbackTitle'));
  const api = useApi();
  const { search } = useLocation();
  const navigate = useNavigate();
  const name = patientEidName(useAuthProviders());
  const error = useOnceCallback(async () => {
    const login = await api.patientEidCallback(search);
    savePatientLogin(login);
    // The list came with the login: /pasient shows it without asking again.
    void navigate('/pasient', { replace: true, state: { consultations: login.consultations } });
  });

  if (error === undefined) {
    return (
      <div className="patient">
        <h1>{t('patient.callbackTitle')}</h1>
        <p role="status">{t('patient.finishing')}</p>
      </div>
    );
  }
  return (
    <div className="patient">
      <h1>{t('patient.failedTitle')}</h1>
      <div className="alert alert--error" role="alert" data-testid="patient-callback-error">
        {t(patientLoginFailureKey(error, search), { name })}
      </div>
      <p>
        <Link to="/login" className="button button--large">
          {t('patient.backToLogin')}
        </Link>
      </p>
    </div>
  );
}
