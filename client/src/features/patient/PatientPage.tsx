import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { PatientConsultationList, type PatientConsultation } from '@samkons/shared';
import { usePageTitle } from '../../app/usePageTitle';
import {
  clearPatientLogin,
  getPatientLogin,
  saveIdentifiedSession,
  useApi,
} from '../../api/session';
import { errorMessageKey, isApiError } from '../../api/errors';
import { formatDateTime, formatTime } from '../../i18n/format';
import { patientEidName, useAuthProviders } from '../auth/useAuthProviders';
import { instantInMessage } from '../prejoin/checks';
import { patientSessionFailure } from './failures';
import { PatientCarePanel } from '../lkt/PatientCarePanel';
import './patient.css';

/** Longest timeout browsers keep (about 24.8 days); longer ones fire at once. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/**
 * The time, updated when the next meeting on the list opens or ends, so its button turns
 * on (or off) without a reload.
 */
function useNowAtBoundaries(list: PatientConsultation[] | null): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!list) return;
    const t = now.getTime();
    const next = list
      .flatMap((c) => [Date.parse(c.joinableFrom), Date.parse(c.endsAt)])
      .filter((x) => x > t)
      .sort((a, b) => a - b)[0];
    if (next === undefined) return;
    const id = window.setTimeout(() => setNow(new Date()), Math.min(next - t, MAX_TIMEOUT_MS));
    return () => window.clearTimeout(id);
  }, [list, now]);
  return now;
}

const listFromState = (state: unknown): PatientConsultation[] | null => {
  const parsed = PatientConsultationList.safeParse(state);
  return parsed.success ? parsed.data.consultations : null;
};

/**
 * "Mine videomøte": the consultations a patient or next of kin is booked in under their
 * national identity number, after logging in with the patient eID on the login page. Each
 * leads to the pre-join of the person's own invite, with the eID's session.
 */
export function PatientPage() {
  const { t } = useTranslation();
  usePageTitle(t('patient.title'));
  const api = useApi();
  const navigate = useNavigate();
  const location = useLocation();
  const name = patientEidName(useAuthProviders());
  const [login] = useState(() => getPatientLogin());
  const [list, setList] = useState<PatientConsultation[] | null>(() =>
    listFromState(location.state),
  );
  const [loadError, setLoadError] = useState<unknown>(undefined);
  const [reloads, setReloads] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<{ text: string; n: number } | null>(null);
  const errorRef = useRef<HTMLDivElement>(null);
  const now = useNowAtBoundaries(list);

  const toLogin = useCallback(
    (reason: 'expired' | 'required') => {
      clearPatientLogin();
      void navigate('/login', { replace: true, state: { patient: reason } });
    },
    [navigate],
  );

  // No token (or an expired one): log in. The token also ends while the page is open.
  useEffect(() => {
    if (!login) return toLogin('required');
    const id = window.setTimeout(
      () => toLogin('expired'),
      Math.min(Math.max(0, Date.parse(login.expiresAt) - Date.now()), MAX_TIMEOUT_MS),
    );
    return () => window.clearTimeout(id);
  }, [login, toLogin]);

  // The list came with the login. Drop it from the history entry, so a reload fetches
  // it fresh instead of showing the one from the login.
  const fromLogin = location.state !== null;
  useEffect(() => {
    if (fromLogin) void navigate('/pasient', { replace: true, state: null });
  }, [fromLogin, navigate]);

  const needsFetch = list === null;
  useEffect(() => {
    if (!login || !needsFetch) return;
    const ac = new AbortController();
    setLoadError(undefined);
    api
      .patientConsultations(login.patientToken, ac.signal)
      .then((r) => setList(r.consultations))
      .catch((e: unknown) => {
        if (ac.signal.aborted) return;
        if (isApiError(e) && e.code === 'unauthenticated') return toLogin('expired');
        setLoadError(e);
      });
    return () => ac.abort();
  }, [api, login, needsFetch, reloads, toLogin]);

  useEffect(() => {
    if (actionError) errorRef.current?.focus();
  }, [actionError]);

  if (!login) return null;

  const open = async (c: PatientConsultation) => {
    if (busy) return;
    setBusy(c.participantId);
    setActionError(null);
    try {
      const r = await api.patientSession(login.patientToken, c.participantId);
      // The pre-join for this invite uses the eID's session instead of the link exchange.
      saveIdentifiedSession(r.inviteToken, r.session);
      void navigate(`/join/${r.inviteToken}`);
    } catch (e) {
      setBusy(null);
      const failure = patientSessionFailure(e, instantInMessage);
      if (failure.kind === 'expired') return toLogin('expired');
      const text =
        failure.key === 'patient.notOpenYet'
          ? t(failure.key, { time: formatDateTime(failure.opensAt) })
          : t(failure.key);
      setActionError((prev) => ({ text, n: (prev?.n ?? 0) + 1 }));
    }
  };

  const logout = () => {
    clearPatientLogin();
    void navigate('/login', { replace: true });
  };

  return (
    <div className="patient">
      <div className="patient__head">
        <h1>{t('patient.title')}</h1>
        <button type="button" className="button button--secondary" onClick={logout}>
          {t('patient.logout')}
        </button>
      </div>
      <p>
        {t('patient.intro')} {t('patient.loggedInWith', { name })}
      </p>

      {actionError && (
        <div
          key={actionError.n}
          className="alert alert--error"
          role="alert"
          tabIndex={-1}
          ref={errorRef}
        >
          {actionError.text}
        </div>
      )}

      {loadError !== undefined ? (
        <div className="alert alert--error" role="alert">
          <p>{t(errorMessageKey(loadError))}</p>
          <button
            type="button"
            className="button button--secondary"
            onClick={() => setReloads((n) => n + 1)}
          >
            {t('patient.reload')}
          </button>
        </div>
      ) : list === null ? (
        <p role="status">{t('patient.loading')}</p>
      ) : list.length === 0 ? (
        <p className="patient__empty" data-testid="patient-empty">
          {t('patient.empty')}
        </p>
      ) : (
        <ul className="patient__list">
          {list.map((c) => (
            <li key={c.participantId}>
              <PatientMeeting
                consultation={c}
                now={now}
                busy={busy === c.participantId}
                disabled={busy !== null}
                onOpen={() => void open(c)}
                patientToken={login.patientToken}
              />
            </li>
          ))}
        </ul>
      )}

      {/* LKT (lkt-data): the plan, care team and "min historie". */}
      <PatientCarePanel patientToken={login.patientToken} />
    </div>
  );
}

function PatientMeeting({
  consultation: c,
  now,
  busy,
  disabled,
  onOpen,
  patientToken,
}: {
  consultation: PatientConsultation;
  now: Date;
  busy: boolean;
  disabled: boolean;
  onOpen: () => void;
  /** The eID login's token: the survey accepts it for the person's own meetings. */
  patientToken: string;
}) {
  const { t } = useTranslation();
  const headingId = `patient-meeting-${c.participantId}`;
  const title = c.title ?? t(`kinds.${c.kind}`);
  const over =
    c.status === 'completed' || c.status === 'no_show' || now.getTime() >= Date.parse(c.endsAt);
  const notYet = now.getTime() < Date.parse(c.joinableFrom);
  return (
    <article className="card patient__meeting" aria-labelledby={headingId}>
      <h2 id={headingId} className="patient__title">
        {title}
      </h2>
      <p className="patient__when">
        {t('patient.when', { start: formatDateTime(c.startsAt), end: formatTime(c.endsAt) })}
      </p>
      <p>{c.role === 'patient' ? t('patient.asPatient') : t('patient.asNextOfKin')}</p>
      <p className="patient__meta">
        {t('patient.organiser', {
          name: c.organiserName,
          organisation: c.documentingOrganisation,
        })}
      </p>
      {over ? (
        <>
          <p className="patient__state">{t('patient.ended')}</p>
          {c.status === 'completed' && (
            <div className="patient__after">
              {/* Read with this entry's eID login (the page finds it in this tab). */}
              <Link
                className="button"
                to={`/summary/${c.consultationId}`}
                aria-describedby={headingId}
                data-testid="patient-summary"
              >
                {t('patient.summary')}
              </Link>
              <a
                className="button button--secondary"
                href={`/survey/${c.consultationId}#t=${encodeURIComponent(patientToken)}`}
                aria-describedby={headingId}
                data-testid="patient-survey"
              >
                {t('patient.survey')}
              </a>
            </div>
          )}
        </>
      ) : notYet ? (
        <button
          type="button"
          className="button button--large"
          disabled
          aria-describedby={headingId}
        >
          {t('patient.opensAt', { time: formatDateTime(c.joinableFrom) })}
        </button>
      ) : (
        <button
          type="button"
          className="button button--large"
          aria-describedby={headingId}
          aria-disabled={disabled}
          onClick={disabled ? undefined : onOpen}
        >
          {busy ? t('patient.opening') : t('patient.goToPrejoin')}
        </button>
      )}
    </article>
  );
}
