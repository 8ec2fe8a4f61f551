import { useTranslation } from 'react-i18next';

/**
 * Shown while the link is too weak for video and the call carries only sound (the SFU
 * decided it: see server/src/sfu/downlink.ts). Plain words, visible, and announced once by
 * screen readers; it goes away by itself when video comes back.
 */
export function WeakLinkNotice() {
  const { t } = useTranslation();
  return (
    <p className="call__alert call__alert--weak-link" role="status" data-testid="weak-link-notice">
      <strong>{t('call.weakLinkAudioOnly')}</strong> {t('call.weakLinkAudioOnlyHint')}
    </p>
  );
}
