import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { LiveSnapshot } from '../../media/live-session';
import { useOptionalSession } from '../../api/session';
import { useFeatureT } from '../reports/featureI18n';
import { callUiBundles } from './i18n';

/** Who is on the end screen: enough for the survey link and a staff member's way back. */
export interface EndScreenSession {
  consultationId: string;
  sessionToken: string;
}

/**
 * After the call: why it ended, in plain words; a way back in when that makes sense; the
 * survey for everyone who was in the call; and, for staff, the way back to their work.
 */
export function EndScreen({
  snapshot,
  session,
}: {
  snapshot: LiveSnapshot;
  session?: EndScreenSession | undefined;
}) {
  const { t } = useTranslation();
  const ui = useFeatureT('callui', callUiBundles).t;
  const account = useOptionalSession()?.account ?? null;
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const reason = snapshot.endReason ?? 'failed';
  const text =
    reason === 'denied'
      ? t('lobby.denied')
      : reason === 'removed'
        ? snapshot.removedReason === 'consent_withdrawn'
          ? t('call.removedConsent')
          : t('call.removed')
        : reason === 'session_ended'
          ? snapshot.endedReason === 'consent_withdrawn'
            ? t('call.endedConsent')
            : t('call.ended')
          : reason === 'left'
            ? t('call.left')
            : t('call.failed');
  const mayRejoin = reason === 'left' || reason === 'failed' || reason === 'replaced';
  // Whoever took part may say how it went (not someone who was never let in).
  const offerSurvey = session !== undefined && snapshot.admitted && reason !== 'denied';
  return (
    <main className="call-page--plain end-screen" data-testid="end-screen" data-reason={reason}>
      <h1 ref={ref} tabIndex={-1}>
        {text}
      </h1>
      {snapshot.error && <p>{snapshot.error}</p>}
      {mayRejoin && (
        <button type="button" className="button" onClick={() => location.reload()}>
          {t('call.rejoin')}
        </button>
      )}
      {offerSurvey && session && (
        <section className="end-screen__summary" aria-labelledby="end-summary-heading">
          <h2 id="end-summary-heading">{ui('summaryTitle')}</h2>
          <p>{ui('summaryText')}</p>
          {/* This tab keeps the call's session: the summary page reads with it. */}
          <a
            className="button button--secondary"
            href={`/summary/${encodeURIComponent(session.consultationId)}`}
            data-testid="summary-link"
          >
            {ui('summaryLink')}
          </a>
        </section>
      )}
      {offerSurvey && session && (
        <section className="end-screen__survey" aria-labelledby="end-survey-heading">
          <h2 id="end-survey-heading">{ui('surveyTitle')}</h2>
          <p>{ui('surveyText')}</p>
          <a
            className="button"
            href={surveyHref(session)}
            target="_blank"
            rel="noopener"
            data-testid="survey-link"
          >
            {ui('surveyLink')}
          </a>
        </section>
      )}
      {account && session && (
        <nav className="end-screen__back" aria-label={ui('backToList')}>
          <a
            className="button button--secondary"
            href={`/consultations/${encodeURIComponent(session.consultationId)}`}
          >
            {ui('backToConsultation')}
          </a>
          <a className="button button--secondary" href="/">
            {ui('backToList')}
          </a>
        </nav>
      )}
    </main>
  );
}

/**
 * The survey in a tab of its own: the session token rides in the fragment (`#t=`), which
 * the browser never sends to the server and the survey page removes from the address bar.
 * A new tab has no sessionStorage of this one, so it needs the token from the link.
 */
export function surveyHref(session: EndScreenSession): string {
  return `/survey/${encodeURIComponent(session.consultationId)}#t=${encodeURIComponent(session.sessionToken)}`;
}
