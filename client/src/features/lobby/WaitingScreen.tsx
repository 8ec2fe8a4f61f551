import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { usePageTitle } from '../../app/usePageTitle';
import { useFeatureT } from '../reports/featureI18n';
import { agendaBundles } from '../agenda/i18n';
import './lobby.css';

/**
 * The waiting room as the waiting person sees it: calm, one message, nothing to do. When
 * admission waits for consent, it says so.
 */
export function WaitingScreen(props: {
  name: string;
  waitingForConsent: boolean;
  /** The current agenda part is for health personnel only: "the meeting starts shortly". */
  heldForPart?: boolean;
  /** The patient (or guardian) said no: only clinicians get this (server decides). */
  consentRefused?: boolean;
  preview: MediaStream | null;
  onLeave: () => void;
}) {
  const { t } = useTranslation();
  const agendaT = useFeatureT('agenda', agendaBundles).t;
  usePageTitle(t('lobby.title'));
  const held = props.heldForPart === true && !props.waitingForConsent;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => headingRef.current?.focus(), []);
  useEffect(() => {
    if (videoRef.current) videoRef.current.srcObject = props.preview;
  }, [props.preview]);
  return (
    <main className="waiting" data-testid="waiting-screen">
      <div className="waiting__card">
        <div className="waiting__pulse" aria-hidden="true" />
        <h1 ref={headingRef} tabIndex={-1}>
          {/* Waiting for consent is not waiting for a host: the host may be the one waiting. */}
          {props.waitingForConsent
            ? t('lobby.waitingForConsentTitle')
            : held
              ? agendaT('heldTitle')
              : t('lobby.waiting')}
        </h1>
        <p role="status" data-testid="waiting-reason">
          {props.consentRefused
            ? t('lobby.consentRefused')
            : props.waitingForConsent
              ? t('lobby.waitingConsent')
              : held
                ? agendaT('heldText')
                : t('lobby.waitingCalm')}
        </p>
        {props.preview && props.preview.getVideoTracks().length > 0 && (
          <video
            ref={videoRef}
            className="waiting__preview"
            autoPlay
            muted
            playsInline
            aria-label={t('call.you', { name: props.name })}
          />
        )}
        <button type="button" className="button button--secondary" onClick={props.onLeave}>
          {t('lobby.leave')}
        </button>
      </div>
    </main>
  );
}
