import { useTranslation } from 'react-i18next';
import type { LobbyEntry } from '@samkons/shared';
import { useFeatureT } from '../reports/featureI18n';
import { agendaBundles } from '../agenda/i18n';

/** For hosts: who is waiting, with admit and deny for each. */
export function LobbyList(props: {
  lobby: readonly LobbyEntry[];
  onAdmit: (id: string) => void;
  onDeny: (id: string) => void;
}) {
  const { t } = useTranslation();
  const agendaT = useFeatureT('agenda', agendaBundles).t;
  return (
    <section aria-labelledby="lobby-heading" className="lobby" data-testid="lobby-list">
      <h3 id="lobby-heading">
        {t('lobby.listTitle')} ({props.lobby.length})
      </h3>
      {props.lobby.length === 0 ? (
        <p>{t('lobby.nobodyWaiting')}</p>
      ) : (
        <ul className="lobby__list">
          {props.lobby.map((e) => (
            <li
              key={e.participantId}
              className="lobby__entry"
              data-participant-id={e.participantId}
            >
              <span className="lobby__who">
                <strong>{e.displayName}</strong>
                <span>
                  {e.role ? t(`roles.${e.role}`) : ''}
                  {e.organisation ? `, ${e.organisation}` : ''}
                </span>
                {e.waitingForConsent && (
                  <span className="badge badge--warning">{t('lobby.awaitingConsent')}</span>
                )}
                {e.heldForPart && !e.waitingForConsent && (
                  <span className="badge" title={agendaT('heldAdmitHint')}>
                    {agendaT('heldInLobby')}
                  </span>
                )}
              </span>
              <span className="lobby__actions">
                <button
                  type="button"
                  className="button button--small"
                  aria-disabled={e.waitingForConsent || e.heldForPart === true}
                  onClick={() =>
                    !e.waitingForConsent && !e.heldForPart && props.onAdmit(e.participantId)
                  }
                >
                  {t('lobby.admit', { name: e.displayName })}
                </button>
                <button
                  type="button"
                  className="button button--secondary button--small"
                  onClick={() => props.onDeny(e.participantId)}
                >
                  {t('lobby.deny', { name: e.displayName })}
                </button>
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
