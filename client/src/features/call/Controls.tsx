import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalMediaState } from '../../media/session';

export type Panel = 'chat' | 'people' | 'consent';

/**
 * The control bar: big labelled buttons (text, not icons alone), in reading order. Toggles
 * name the action they will do; panel buttons say whether their panel is open.
 */
export function Controls(props: {
  local: LocalMediaState;
  hasMicrophone: boolean;
  hasCamera: boolean;
  canShareScreen: boolean;
  sessionFeatures: boolean;
  canConsent: boolean;
  canEnd: boolean;
  handRaised: boolean;
  unread: number;
  panel: Panel | null;
  onPanel: (p: Panel | null) => void;
  onMicrophone: (on: boolean) => void;
  onCamera: (on: boolean) => void;
  onScreen: (on: boolean) => void;
  onAudioOnly: (on: boolean) => void;
  onHand: () => void;
  onLeave: () => void;
  onEndForAll: () => void;
}) {
  const { t } = useTranslation();
  const { local } = props;
  const [confirmEnd, setConfirmEnd] = useState(false);
  const endRef = useRef<HTMLButtonElement>(null);
  const panelButton = (panel: Panel, label: string, extra?: React.ReactNode) => (
    <button
      type="button"
      className="control"
      aria-expanded={props.panel === panel}
      aria-controls="call-panel"
      onClick={() => props.onPanel(props.panel === panel ? null : panel)}
    >
      {label}
      {extra}
    </button>
  );

  return (
    <nav className="controls" aria-label={t('call.controls')}>
      <div className="controls__group">
        {props.hasMicrophone && (
          <button
            type="button"
            className={`control ${local.microphoneOn ? '' : 'control--off'}`}
            onClick={() => props.onMicrophone(!local.microphoneOn)}
          >
            {local.microphoneOn ? t('call.mute') : t('call.unmute')}
          </button>
        )}
        {props.hasCamera && (
          <button
            type="button"
            className={`control ${local.cameraOn ? '' : 'control--off'}`}
            aria-disabled={local.audioOnly}
            onClick={() => !local.audioOnly && props.onCamera(!local.cameraOn)}
          >
            {local.cameraOn ? t('call.cameraOff') : t('call.cameraOn')}
          </button>
        )}
        {props.canShareScreen && (
          <button
            type="button"
            className="control"
            onClick={() => props.onScreen(!local.screenSharing)}
          >
            {local.screenSharing ? t('call.stopShare') : t('call.shareScreen')}
          </button>
        )}
        <button
          type="button"
          className="control"
          aria-pressed={local.audioOnly}
          aria-describedby="audio-only-hint"
          onClick={() => props.onAudioOnly(!local.audioOnly)}
        >
          {t('call.audioOnly')}
        </button>
        <span id="audio-only-hint" className="visually-hidden">
          {t('call.audioOnlyHint')}
        </span>
      </div>
      {props.sessionFeatures && (
        <div className="controls__group">
          <button
            type="button"
            className="control"
            aria-pressed={props.handRaised}
            onClick={props.onHand}
          >
            {props.handRaised ? t('call.lowerHand') : t('call.raiseHand')}
          </button>
          {panelButton(
            'chat',
            t('call.chat'),
            props.unread > 0 ? (
              <span className="control__count" data-testid="unread">
                {' '}
                ({props.unread})
              </span>
            ) : null,
          )}
          {panelButton('people', t('call.people'))}
          {props.canConsent && panelButton('consent', t('call.consent'))}
        </div>
      )}
      <div className="controls__group">
        <button type="button" className="control control--leave" onClick={props.onLeave}>
          {t('call.leave')}
        </button>
        {props.canEnd &&
          (!confirmEnd ? (
            <button
              type="button"
              className="control control--danger"
              onClick={() => {
                setConfirmEnd(true);
                requestAnimationFrame(() => endRef.current?.focus());
              }}
            >
              {t('call.endForAll')}
            </button>
          ) : (
            <span role="group" aria-labelledby="end-confirm" className="controls__confirm">
              <span id="end-confirm">{t('call.endConfirm')}</span>
              <button
                ref={endRef}
                type="button"
                className="control control--danger"
                onClick={props.onEndForAll}
              >
                {t('call.endYes')}
              </button>
              <button type="button" className="control" onClick={() => setConfirmEnd(false)}>
                {t('call.cancel')}
              </button>
            </span>
          ))}
      </div>
    </nav>
  );
}
