import { memo, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { LineState } from '@samkons/shared';
import type { VideoDemand } from '../../media/adaptive-stream';
import { useVideoDemand } from './useVideoDemand';
import { HandIcon } from './icons';

export interface TileInfo {
  /** Name, role and organisation in full: the video's accessible name. */
  label: string;
  /** The caption: the name stands out, the role follows; the organisation on hover or focus. */
  name?: string;
  roleText?: string;
  organisation?: string | null | undefined;
  /** The participant's role (data-role: layouts and tests find the interpreter by it). */
  role?: string | undefined;
  /** A label that must not be missed ("Tolk"). */
  tag?: string | undefined;
  className?: string;
  track: MediaStreamTrack | undefined;
  testId: string;
  peerId?: string;
  mirrored?: boolean;
  speaking?: boolean;
  muted?: boolean;
  cameraOff?: boolean;
  /** Their camera is on, but no video of it comes here (audio only: chosen, or a weak link). */
  videoHeld?: boolean;
  handRaised?: boolean;
  /** Their line as this page sees it (what arrives from them and what they report). */
  quality?: LineState | undefined;
  screen?: boolean;
  /** A remote video: tells the SFU what this tile needs (size, seen or not). */
  onDemand?: ((demand: VideoDemand) => void) | undefined;
}

/**
 * One video tile: video, caption, and status badges; host actions come as children.
 * Memoised: the call re-renders on every media and session change, a tile only on its own.
 */
export const Tile = memo(function Tile(props: TileInfo & { children?: React.ReactNode }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLVideoElement>(null);
  const frame = useRef<HTMLElement>(null);
  useVideoDemand(frame, props.onDemand);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = props.track ? new MediaStream([props.track]) : null;
  }, [props.track]);
  const name = props.name ?? props.label.split(' · ')[0] ?? props.label;
  const classes = [
    'tile',
    props.speaking ? 'tile--speaking' : '',
    props.screen ? 'tile--screen' : '',
    props.handRaised ? 'tile--hand' : '',
    props.className ?? '',
  ].join(' ');
  return (
    // Focusable so that keyboard users, too, can bring up the organisation in the caption.
    <figure
      ref={frame}
      className={classes}
      data-testid={props.testId}
      data-peer-id={props.peerId}
      data-role={props.role}
      tabIndex={0}
    >
      <div className="tile__media">
        <video
          ref={ref}
          autoPlay
          playsInline
          muted
          className={props.mirrored ? 'tile__video tile__video--mirrored' : 'tile__video'}
          aria-label={
            props.screen
              ? t('call.screenOf', { name: props.label })
              : t('call.videoOf', { name: props.label })
          }
        />
        {(props.cameraOff || props.videoHeld || !props.track) && !props.screen && (
          <div className="tile__placeholder" aria-hidden="true">
            {initials(name)}
          </div>
        )}
        {/* Badges at the top, the caption at the bottom: one column, so that on a small
            tile they give way (badges clip, words end in …) instead of covering each other. */}
        <div className="tile__overlay">
          <ul className="tile__badges">
            {props.tag && <li className="badge badge--tag">{props.tag}</li>}
            {props.speaking && <li className="badge badge--speaking">{t('call.speaking')}</li>}
            {props.handRaised && (
              <li className="badge badge--hand">
                <HandIcon /> {t('call.handUp')}
              </li>
            )}
            {props.muted && <li className="badge">{t('call.muted')}</li>}
            {!props.screen && (props.cameraOff || props.videoHeld) && (
              <li className="badge">
                {t(props.cameraOff ? 'call.cameraIsOff' : 'call.videoHeld')}
              </li>
            )}
            {props.quality && (
              <li
                className={`badge badge--q-${props.quality}`}
                data-testid="quality"
                data-line={props.quality}
              >
                {t('call.quality', { quality: t(qualityKey[props.quality]) })}
              </li>
            )}
          </ul>
          <figcaption className="tile__caption">
            <strong className="tile__name">{name}</strong>
            {props.roleText && <span className="tile__role">{props.roleText}</span>}
            {props.organisation && <span className="tile__org">{props.organisation}</span>}
          </figcaption>
        </div>
      </div>
      {props.children}
    </figure>
  );
});

/** The word for a line state (shared by the tiles, the people list and one's own badge). */
export const qualityKey = {
  good: 'call.qualityGood',
  ok: 'call.qualityOk',
  poor: 'call.qualityPoor',
  lost: 'call.qualityLost',
  reconnecting: 'call.qualityReconnecting',
} as const satisfies Record<LineState, string>;

/** Titles are not names: "Dr. Ingrid" is "I", not "DI". */
const TITLE = /^(dr|prof|professor|lege|overlege|sjukepleiar|sykepleier|fru|herr)\.?$/i;

export function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((w) => w && !TITLE.test(w))
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
}

/** Plays one participant's audio, on the chosen speaker where the browser allows it. */
export function AudioSink({ track, sinkId }: { track: MediaStreamTrack; sinkId?: string }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    const withSink = el as HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };
    if (sinkId && withSink.setSinkId) void withSink.setSinkId(sinkId).catch(() => undefined);
  }, [track, sinkId]);
  return <audio ref={ref} autoPlay />;
}
