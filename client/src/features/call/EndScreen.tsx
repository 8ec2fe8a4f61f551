import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { LiveSnapshot } from '../../media/live-session';

/** After the call: why it ended, in plain words, and a way back in when that makes sense. */
export function EndScreen({ snapshot }: { snapshot: LiveSnapshot }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const phase = snapshot.phase;
  const text =
    phase === 'denied'
      ? t('lobby.denied')
      : phase === 'removed'
        ? snapshot.removedReason === 'consent_withdrawn'
          ? t('call.removedConsent')
          : t('call.removed')
        : phase === 'ended'
          ? snapshot.endedReason === 'consent_withdrawn'
            ? t('call.endedConsent')
            : t('call.ended')
          : phase === 'left'
            ? t('call.left')
            : t('call.failed');
  const mayRejoin = phase === 'left' || phase === 'failed';
  return (
    <main className="call-page--plain" data-testid="end-screen" data-phase={phase}>
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
