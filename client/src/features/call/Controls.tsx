import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalMediaState } from '../../media/session';
import { useFeatureT } from '../reports/featureI18n';
import type { Layout } from './CallStage';
import { callUiBundles } from './i18n';
import { CameraIcon, HandIcon, LeaveIcon, MicIcon, MoreIcon } from './icons';

export type Panel = 'chat' | 'people' | 'consent';

/** Phones: one compact row of controls, the rest behind "Meir", panels as full-screen sheets. */
export const COMPACT_CALL_QUERY = '(max-width: 40rem)';

/**
 * The control bar: big labelled buttons (text, not icons alone), in reading order. Toggles
 * name the action they will do; panel buttons say whether their panel is open.
 *
 * Compact (phones), as Whereby, Jitsi and Meet do it: one row of the essentials (microphone,
 * camera, "Meir", leave) with icons over short words, so that the pictures keep the screen;
 * everything else in a sheet that "Meir" opens. Microphone and camera are then toggles named
 * by their word ("Mikrofon", pressed while on): a name must hold the words a person sees.
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
  /** One row of essentials and a "Meir" sheet (phones). */
  compact: boolean;
  /** Speaker or grid: chosen in the header, or in the "Meir" sheet when compact. */
  layout: Layout;
  onLayout: (l: Layout) => void;
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
  const { local, compact } = props;
  const [confirm, setConfirm] = useState<'leave' | 'end' | null>(null);
  const [more, setMore] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const leaveRef = useRef<HTMLButtonElement>(null);
  const moreRef = useRef<HTMLButtonElement>(null);
  const sheetRef = useRef<HTMLDivElement>(null);
  const ask = (what: 'leave' | 'end') => {
    setMore(false);
    setConfirm(what);
    requestAnimationFrame(() => confirmRef.current?.focus());
  };
  const cancel = () => {
    setConfirm(null);
    requestAnimationFrame(() => leaveRef.current?.focus());
  };
  const closeMore = (refocus: boolean) => {
    setMore(false);
    if (refocus) requestAnimationFrame(() => moreRef.current?.focus());
  };
  // Not compact any more (the phone turned): the sheet has nothing to hold.
  useEffect(() => {
    if (!compact) setMore(false);
  }, [compact]);
  // The sheet: its first choice takes focus; Escape or a tap elsewhere closes it.
  useEffect(() => {
    if (!more) return;
    sheetRef.current?.querySelector<HTMLElement>('button')?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') closeMore(true);
    };
    const onDown = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!sheetRef.current?.contains(target) && !moreRef.current?.contains(target)) {
        closeMore(false);
      }
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onDown);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onDown);
    };
  }, [more]);
  /** A choice in the sheet is made: the sheet closes, then the choice happens. */
  const fromSheet = (action: () => void) => () => {
    closeMore(false);
    action();
  };

  const waiting = props.waiting ?? 0;
  const panelButton = (panel: Panel, label: string, extra?: React.ReactNode) => (
    <button
      key={panel}
      type="button"
      className="control"
      aria-expanded={props.panel === panel}
      aria-controls="call-panel"
      onClick={fromSheet(() => props.onPanel(props.panel === panel ? null : panel))}
    >
      {label}
      {extra}
    </button>
  );
  const unreadCount =
    props.unread > 0 ? (
      <span className="control__count" data-testid="unread">
        {' '}
        ({props.unread})
      </span>
    ) : null;
  const waitingCount =
    waiting > 0 ? (
      <span className="control__badge" data-testid="waiting-count">
        {' '}
        <span aria-hidden="true">{waiting}</span>
        <span className="visually-hidden">{ui('peopleCount', { n: waiting })}</span>
      </span>
    ) : null;

  const micLabel = local.microphoneOn ? t('call.mute') : t('call.unmute');
  const camLabel = local.cameraOn ? t('call.cameraOff') : t('call.cameraOn');
  const microphone = props.hasMicrophone && (
    <button
      type="button"
      className={`control ${local.microphoneOn ? '' : 'control--off'}`}
      aria-pressed={compact ? local.microphoneOn : undefined}
      onClick={() => props.onMicrophone(!local.microphoneOn)}
    >
      {compact ? (
        <>
          <MicIcon off={!local.microphoneOn} />
          <span className="control__word">{ui('micShort')}</span>
        </>
      ) : (
        micLabel
      )}
    </button>
  );
  const camera = props.hasCamera && (
    <button
      type="button"
      className={`control ${local.cameraOn ? '' : 'control--off'}`}
      aria-pressed={compact ? local.cameraOn && !local.audioOnly : undefined}
      aria-disabled={local.audioOnly}
      onClick={() => !local.audioOnly && props.onCamera(!local.cameraOn)}
    >
      {compact ? (
        <>
          <CameraIcon off={!local.cameraOn || local.audioOnly} />
          <span className="control__word">{ui('cameraShort')}</span>
        </>
      ) : (
        camLabel
      )}
    </button>
  );
  const share = props.canShareScreen && (
    <button
      type="button"
      className="control"
      onClick={fromSheet(() => props.onScreen(!local.screenSharing))}
    >
      {local.screenSharing ? t('call.stopShare') : t('call.shareScreen')}
    </button>
  );
  const audioOnly = (
    <button
      type="button"
      className="control"
      aria-pressed={local.audioOnly}
      aria-describedby="audio-only-hint"
      onClick={fromSheet(() => props.onAudioOnly(!local.audioOnly))}
    >
      {t('call.audioOnly')}
    </button>
  );
  const sessionButtons = props.sessionFeatures
    ? [
        <button
          key="hand"
          type="button"
          className="control"
          aria-pressed={props.handRaised}
          onClick={fromSheet(props.onHand)}
        >
          <HandIcon size="1.1em" /> {props.handRaised ? t('call.lowerHand') : t('call.raiseHand')}
        </button>,
        panelButton('chat', t('call.chat'), unreadCount),
        panelButton('people', t('call.people'), waitingCount),
        props.canConsent && panelButton('consent', t('call.consent')),
      ]
    : [];
  const leave = (
    <button
      ref={leaveRef}
      type="button"
      className="control control--leave"
      aria-label={compact ? t('call.leave') : undefined}
      onClick={() => ask('leave')}
    >
      {compact ? (
        <>
          <LeaveIcon />
          <span className="control__word">{ui('leaveShort')}</span>
        </>
      ) : (
        t('call.leave')
      )}
    </button>
  );
  const endForAll = props.canEnd && (
    <button type="button" className="control control--danger" onClick={() => ask('end')}>
      {t('call.endForAll')}
    </button>
  );
  const confirmation = confirm !== null && (
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
  );
  const hint = (
    <span id="audio-only-hint" className="visually-hidden">
      {t('call.audioOnlyHint')}
    </span>
  );

  if (compact) {
    // What "Meir" hides that asks for attention: unread messages, people waiting.
    const pending = props.unread + waiting;
    return (
      <nav className="controls controls--compact" aria-label={t('call.controls')}>
        {hint}
        {more && (
          <div
            id="call-more"
            ref={sheetRef}
            className="controls__sheet"
            role="group"
            aria-label={ui('moreLabel')}
            data-testid="call-more"
          >
            {share}
            {audioOnly}
            {sessionButtons}
            <div className="controls__layout" role="group" aria-label={ui('layoutLabel')}>
              {(['speaker', 'grid'] as const).map((l) => (
                <button
                  key={l}
                  type="button"
                  className="control"
                  aria-pressed={props.layout === l}
                  data-layout={l}
                  onClick={fromSheet(() => props.onLayout(l))}
                >
                  {l === 'speaker' ? ui('layoutSpeaker') : ui('layoutGrid')}
                </button>
              ))}
            </div>
            {endForAll}
          </div>
        )}
        {confirmation || (
          <div className="controls__row">
            {microphone}
            {camera}
            <button
              ref={moreRef}
              type="button"
              className="control"
              aria-expanded={more}
              aria-controls="call-more"
              onClick={() => (more ? closeMore(false) : setMore(true))}
            >
              <MoreIcon />
              <span className="control__word">{ui('more')}</span>
              {pending > 0 && (
                <span className="control__pip" data-testid="more-count">
                  <span aria-hidden="true">{pending}</span>
                  <span className="visually-hidden">{ui('morePending', { n: pending })}</span>
                </span>
              )}
            </button>
            {leave}
          </div>
        )}
      </nav>
    );
  }

  return (
    <nav className="controls" aria-label={t('call.controls')}>
      <div className="controls__group">
        {microphone}
        {camera}
        {share}
        {audioOnly}
        {hint}
      </div>
      {props.sessionFeatures && <div className="controls__group">{sessionButtons}</div>}
      <div className="controls__group">
        {confirmation || (
          <>
            {leave}
            {endForAll}
          </>
        )}
      </div>
    </nav>
  );
}
