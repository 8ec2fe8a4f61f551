import { useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../../app/usePageTitle';
import { pendingEidInvite, saveIdentifiedSession, useApi } from '../../api/session';
import { patientEidName, useAuthProviders } from '../auth/useAuthProviders';
import { useOnceCallback } from '../auth/useOnceCallback';
import { eidFailureKey } from './eidFailure';
import './prejoin.css';

/**
 * Where the patient eID (ID-porten) sends the browser back after an invite's login: finish
 * it via the API once (the code is single use), keep the session for that invite link and
 * return to its pre-join page, which then uses it instead of the link exchange.
 */
export function JoinCallbackPage() {
  const { t } = useTranslation();
  usePageTitle(t('joinCallback.title'));
  const api = useApi();
  const { search } = useLocation();
  const navigate = useNavigate();
  const name = patientEidName(useAuthProviders());
  // Read once: the pending invite is cleared when the session is stored.
  const [inviteToken] = useState(pendingEidInvite);
  const error = useOnceCallback(
    inviteToken
      ? async () => {
          saveIdentifiedSession(inviteToken, await api.inviteEidCallback(search));
          void navigate(`/join/${inviteToken}`, { replace: true });
        }
      : null,
  );

  if (inviteToken && error === undefined) {
    return (
      <div className="prejoin">
        <h1>{t('joinCallback.title')}</h1>
        <p role="status">{t('joinCallback.finishing')}</p>
      </div>
    );
  }
  return (
    <div className="prejoin">
      <h1>{t('joinCallback.failedTitle')}</h1>
      <div className="alert alert--error" role="alert" data-testid="join-callback-error">
        {inviteToken ? t(eidFailureKey(error, search), { name }) : t('joinCallback.noInvite')}
      </div>
      {inviteToken && (
        <p>
          <Link to={`/join/${inviteToken}`} className="button button--large">
            {t('joinCallback.backToInvite')}
          </Link>
        </p>
      )}
    </div>
  );
}
