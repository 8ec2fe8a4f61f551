import { memo, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LocalMediaState } from '../../media/session';
import { useFeatureT } from '../reports/featureI18n';
import type { Layout } from './CallStage';
import { callUiBundles } from './i18n';
import {
  AudioOnlyIcon,
  CameraIcon,
  ChatIcon,
  ConsentIcon,
  EndIcon,
  HandIcon,
  LeaveIcon,
  MicIcon,
  MoreIcon,
  PeopleIcon,
  ShareIcon,
} from './icons';

export type Panel = 'chat' | 'people' | 'consent';

/** Phones: one compact row of controls, the rest behind "Meir", panels as full-screen sheets. */
export const COMPACT_CALL_QUERY = '(max-width: 40rem)';

/**
 * Which controls give way to "Meir" as the bar narrows (call.css holds the widths, as
 * container queries on the bar, so that larger text folds sooner): 1 first, 3 last.
 * Microphone, camera and leaving never fold.
 */
const FOLD = {
  share: 1,
  audioOnly: 1,
  hand: 2,
  chat: 3,
  people: 3,
  consent: 3,
  endForAll: 3,
} as const;

/**
 * The control bar, as Whereby, Jitsi and Meet do it: one row of icon buttons, each with a
 * short word under its icon, so that the pictures keep the screen. What does not fit goes
 * into the "Meir" sheet: the row and the sheet hold the same buttons, and the bar's width
 * decides (in CSS) which of the two shows each one. Microphone and camera are toggles named
 * by their word ("Mikrofon", pressed while on): a name must hold the words a person sees;
 * the action they will do is their tooltip. Panel buttons say whether their panel is open.
 */
export const Controls = memo(function Controls(props: {
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
  /** A phone: the layout choice, too, is in the "Meir" sheet (not in the header). */
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
  // The sheet: its first shown choice takes focus; Escape or a tap elsewhere closes it.
  useEffect(() => {
    if (!more) return;
    const buttons = sheetRef.current?.querySelectorAll<HTMLElement>('button') ?? [];
    Array.from(buttons)
      .find((b) => b.getClientRects().length > 0)
      ?.focus();
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
  /** An icon over a short word: the button's content is its name. */
  const face = (icon: React.ReactNode, word: string) => (
    <>
      {icon}
      <span className="control__word">{word}</span>
    </>
  );
  const panelButton = (
    panel: Panel,
    icon: React.ReactNode,
    label: string,
    extra?: React.ReactNode,
  ) => (
    <button
      key={panel}
      type="button"
      className="control"
      data-fold={FOLD[panel]}
      aria-expanded={props.panel === panel}
      aria-controls="call-panel"
      onClick={fromSheet(() => props.onPanel(props.panel === panel ? null : panel))}
    >
      {face(icon, label)}
      {extra}
    </button>
  );
  // Counts as a pip on the button; in words for screen readers ("Meldingar (1)").
  const unreadCount =
    props.unread > 0 ? (
      <>
        {' '}
        <span className="control__pip" data-testid="unread">
          <span aria-hidden="true">{props.unread}</span>
          <span className="visually-hidden">({props.unread})</span>
        </span>
      </>
    ) : null;
  const waitingCount =
    waiting > 0 ? (
      <>
        {' '}
        <span className="control__pip" data-testid="waiting-count">
          <span aria-hidden="true">{waiting}</span>
          <span className="visually-hidden">{ui('peopleCount', { n: waiting })}</span>
        </span>
      </>
    ) : null;

  /** The buttons that fold into "Meir", in the order they stand in the row. */
  const foldable = () => [
    props.canShareScreen && (
      <button
        key="share"
        type="button"
        className="control"
        data-fold={FOLD.share}
        onClick={fromSheet(() => props.onScreen(!local.screenSharing))}
      >
        {face(<ShareIcon />, local.screenSharing ? t('call.stopShare') : t('call.shareScreen'))}
      </button>
    ),
    <button
      key="audio-only"
      type="button"
      className="control"
      data-fold={FOLD.audioOnly}
      aria-pressed={local.audioOnly}
      aria-describedby="audio-only-hint"
      onClick={fromSheet(() => props.onAudioOnly(!local.audioOnly))}
    >
      {face(<AudioOnlyIcon />, t('call.audioOnly'))}
    </button>,
    ...(props.sessionFeatures
      ? [
          <button
            key="hand"
            type="button"
            className="control"
            data-fold={FOLD.hand}
            aria-pressed={props.handRaised}
            onClick={fromSheet(props.onHand)}
          >
            {face(
              <HandIcon size="1.5em" />,
              props.handRaised ? t('call.lowerHand') : t('call.raiseHand'),
            )}
          </button>,
          panelButton('chat', <ChatIcon />, t('call.chat'), unreadCount),
          panelButton('people', <PeopleIcon />, t('call.people'), waitingCount),
          props.canConsent && panelButton('consent', <ConsentIcon />, t('call.consent')),
        ]
      : []),
  ];
  const endForAll = props.canEnd && (
    <button
      key="end"
      type="button"
      className="control control--danger"
      data-fold={FOLD.endForAll}
      onClick={() => ask('end')}
    >
      {face(<EndIcon />, t('call.endForAll'))}
    </button>
  );

  const microphone = props.hasMicrophone && (
    <button
      type="button"
      className={`control control--device ${local.microphoneOn ? '' : 'control--off'}`}
      aria-pressed={local.microphoneOn}
      title={local.microphoneOn ? t('call.mute') : t('call.unmute')}
      onClick={() => props.onMicrophone(!local.microphoneOn)}
    >
      {face(<MicIcon off={!local.microphoneOn} />, ui('micShort'))}
    </button>
  );
  const cameraOn = local.cameraOn && !local.audioOnly;
  const camera = props.hasCamera && (
    <button
      type="button"
      className={`control control--device ${cameraOn ? '' : 'control--off'}`}
      aria-pressed={cameraOn}
      aria-disabled={local.audioOnly}
      title={
        local.audioOnly ? undefined : local.cameraOn ? t('call.cameraOff') : t('call.cameraOn')
      }
      onClick={() => !local.audioOnly && props.onCamera(!local.cameraOn)}
    >
      {face(<CameraIcon off={!cameraOn} />, ui('cameraShort'))}
    </button>
  );
  // What "Meir" hides that asks for attention (unread messages, people waiting): a pip
  // on it while their buttons are folded (call.css shows it with fold 3).
  const pending = props.unread + waiting;
  const moreButton = (
    <button
      ref={moreRef}
      type="button"
      className="control controls__more"
      aria-expanded={more}
      aria-controls="call-more"
      onClick={() => (more ? closeMore(false) : setMore(true))}
    >
      {face(<MoreIcon />, ui('more'))}
      {pending > 0 && (
        <>
          {' '}
          <span className="control__pip" data-fold={FOLD.chat} data-testid="more-count">
            <span aria-hidden="true">{pending}</span>
            <span className="visually-hidden">{ui('morePending', { n: pending })}</span>
          </span>
        </>
      )}
    </button>
  );
  const leave = (
    <button
      ref={leaveRef}
      type="button"
      className="control control--leave"
      aria-label={t('call.leave')}
      onClick={() => ask('leave')}
    >
      {face(<LeaveIcon />, ui('leaveShort'))}
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

  return (
    <nav
      className={compact ? 'controls controls--compact' : 'controls'}
      aria-label={t('call.controls')}
    >
      <span id="audio-only-hint" className="visually-hidden">
        {t('call.audioOnlyHint')}
      </span>
      {more && (
        <div
          id="call-more"
          ref={sheetRef}
          className="controls__sheet"
          role="group"
          aria-label={ui('moreLabel')}
          data-testid="call-more"
        >
          {foldable()}
          {compact && (
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
          )}
          {endForAll}
        </div>
      )}
      {confirmation || (
        <div className="controls__row">
          {microphone}
          {camera}
          {foldable()}
          {moreButton}
          {leave}
          {endForAll}
        </div>
      )}
    </nav>
  );
});
