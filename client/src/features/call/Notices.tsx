import { useTranslation } from 'react-i18next';
import type { LobbyEntry } from '@samkons/shared';
import { useFeatureT } from '../reports/featureI18n';
import { callUiBundles } from './i18n';
import { CloseIcon } from './icons';
import type { Notice } from './notices';

/**
 * The visible notices over the call, newest last. Not a live region itself: the call's
 * live region announces the same text once (two regions would read it twice).
 */
export function NoticeStack(props: {
  notices: readonly Notice[];
  onDismiss: (id: number) => void;
  children?: React.ReactNode;
}) {
  const ui = useFeatureT('callui', callUiBundles).t;
  if (props.notices.length === 0 && !props.children) return null;
  return (
    <section className="notices" aria-label={ui('notices')} data-testid="notices">
      {props.children}
      {props.notices.map((n) => (
        <div
          key={n.id}
          className={`notice notice--${n.kind}`}
          data-testid="notice"
          data-kind={n.kind}
        >
          <div className="notice__text">
            <p>{n.text}</p>
            {n.detail && <p className="notice__detail">{n.detail}</p>}
          </div>
          <div className="notice__actions">
            {n.action && (
              <button
                type="button"
                className="button button--small"
                onClick={() => {
                  n.action?.run();
                  props.onDismiss(n.id);
                }}
              >
                {n.action.label}
              </button>
            )}
            <button
              type="button"
              className="notice__close"
              aria-label={ui('dismiss')}
              title={ui('dismiss')}
              onClick={() => props.onDismiss(n.id)}
            >
              <CloseIcon />
            </button>
          </div>
        </div>
      ))}
    </section>
  );
}

/**
 * For hosts with the People panel closed: who waits (name and role), with admit and deny
 * right there, like Jitsi's and Whereby's knocking prompt. "Later" hides it until someone
 * new arrives; the count stays on the People button either way.
 */
export function WaitingPrompt(props: {
  lobby: readonly LobbyEntry[];
  onAdmit: (id: string) => void;
  onDeny: (id: string) => void;
  onShowAll: () => void;
  onLater: () => void;
}) {
  const { t } = useTranslation();
  const ui = useFeatureT('callui', callUiBundles).t;
  const shown = props.lobby.slice(0, 3);
  const first = props.lobby[0];
  if (!first) return null;
  const heading =
    props.lobby.length === 1
      ? ui('waitingOne', { name: first.displayName })
      : ui('waitingMany', { n: props.lobby.length });
  return (
    <div className="notice notice--waiting" data-testid="waiting-prompt">
      <h2 className="notice__heading">{heading}</h2>
      <ul className="waiting-prompt__list">
        {shown.map((e) => {
          const blocked = e.waitingForConsent || e.heldForPart === true;
          return (
            <li key={e.participantId} data-participant-id={e.participantId}>
              <span className="waiting-prompt__who">
                <strong>{e.displayName}</strong>
                <span>
                  {[e.role ? t(`roles.${e.role}`) : '', e.organisation ?? '']
                    .filter(Boolean)
                    .join(', ')}
                </span>
                {e.waitingForConsent && (
                  <span className="badge badge--warning">{t('lobby.awaitingConsent')}</span>
                )}
              </span>
              <span className="waiting-prompt__actions">
                <button
                  type="button"
                  className="button button--small"
                  aria-label={ui('admitLabel', { name: e.displayName })}
                  aria-disabled={blocked}
                  onClick={() => !blocked && props.onAdmit(e.participantId)}
                >
                  {ui('admit')}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-label={ui('denyLabel', { name: e.displayName })}
                  onClick={() => props.onDeny(e.participantId)}
                >
                  {ui('deny')}
                </button>
              </span>
            </li>
          );
        })}
      </ul>
      <div className="notice__actions">
        {props.lobby.length > shown.length && (
          <button
            type="button"
            className="button button--secondary button--small"
            onClick={props.onShowAll}
          >
            {ui('showAll')}
          </button>
        )}
        <button
          type="button"
          className="button button--secondary button--small"
          onClick={props.onLater}
        >
          {ui('later')}
        </button>
      </div>
    </div>
  );
}
