import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalMediaState } from '../../media/session';
import { useFeatureT } from '../reports/featureI18n';
import { callUiBundles } from './i18n';
import { HandIcon } from './icons';

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
  /** People in the waiting room (hosts only): a count on the People button. */
  waiting?: number;
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
  const ui = useFeatureT('callui', callUiBundles).t;
  const { local } = props;
  const [confirm, setConfirm] = useState<'leave' | 'end' | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const leaveRef = useRef<HTMLButtonElement>(null);
  const ask = (what: 'leave' | 'end') => {
    setConfirm(what);
    requestAnimationFrame(() => confirmRef.current?.focus());
  };
  const cancel = () => {
    setConfirm(null);
    requestAnimationFrame(() => leaveRef.current?.focus());
  };
  const waiting = props.waiting ?? 0;
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
            <HandIcon size="1.1em" /> {props.handRaised ? t('call.lowerHand') : t('call.raiseHand')}
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
          {panelButton(
            'people',
            t('call.people'),
            waiting > 0 ? (
              <span className="control__badge" data-testid="waiting-count">
                {' '}
                <span aria-hidden="true">{waiting}</span>
                <span className="visually-hidden">{ui('peopleCount', { n: waiting })}</span>
              </span>
            ) : null,
          )}
          {props.canConsent && panelButton('consent', t('call.consent'))}
        </div>
      )}
      <div className="controls__group">
        {confirm === null ? (
          <>
            <button
              ref={leaveRef}
              type="button"
              className="control control--leave"
              onClick={() => ask('leave')}
            >
              {t('call.leave')}
            </button>
            {props.canEnd && (
              <button type="button" className="control control--danger" onClick={() => ask('end')}>
                {t('call.endForAll')}
              </button>
            )}
          </>
        ) : (
          <span
            role="group"
            aria-labelledby="leave-confirm"
            aria-describedby={confirm === 'leave' ? 'leave-hint' : undefined}
            className="controls__confirm"
            data-testid={confirm === 'leave' ? 'leave-confirm' : 'end-confirm'}
          >
            <span id="leave-confirm" className="controls__question">
              {confirm === 'leave' ? ui('leaveConfirm') : t('call.endConfirm')}
            </span>
            {confirm === 'leave' && (
              <span id="leave-hint" className="visually-hidden">
                {ui('leaveHint')}
              </span>
            )}
            <button
              ref={confirmRef}
              type="button"
              className={`control ${confirm === 'leave' ? 'control--leave' : 'control--danger'}`}
              onClick={confirm === 'leave' ? props.onLeave : props.onEndForAll}
            >
              {confirm === 'leave' ? ui('leaveYes') : t('call.endYes')}
            </button>
            <button type="button" className="control" onClick={cancel}>
              {confirm === 'leave' ? ui('stay') : t('call.cancel')}
            </button>
          </span>
        )}
      </div>
    </nav>
  );
}
