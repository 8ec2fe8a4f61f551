import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { LiveSnapshot } from '../../media/live-session';

/** After the call: why it ended, in plain words, and a way back in when that makes sense. */
export function EndScreen({ snapshot }: { snapshot: LiveSnapshot }) {
  const { t } = useTranslation();
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
  return (
    <main className="call-page--plain" data-testid="end-screen" data-reason={reason}>
      <h1 ref={ref} tabIndex={-1}>
        {text}
      </h1>
      {snapshot.error && <p>{snapshot.error}</p>}
      {mayRejoin && (
        <button type="button" className="button" onClick={() => location.reload()}>
          {t('call.rejoin')}
        </button>
      )}
    </main>
  );
}
