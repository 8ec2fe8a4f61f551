import { useTranslation } from 'react-i18next';
import type {
  LineState,
  LobbyEntry,
  Roster,
  RosterEntry,
  SessionParticipant,
} from '@samkons/shared';
import { LobbyList } from '../lobby/LobbyList';
import { RosterPanel } from './RosterPanel';
import { qualityKey } from './Tile';

/** Everyone in the session (name, role, organisation), who waits, and who sits with the patient. */
export function PeoplePanel(props: {
  participants: readonly SessionParticipant[];
  selfId: string | null;
  lobby: readonly LobbyEntry[];
  canAdmit: boolean;
  onAdmit: (id: string) => void;
  onDeny: (id: string) => void;
  /** Each other participant's line, so a host sees whose line is the weak one. */
  lines?: ReadonlyMap<string, LineState> | undefined;
  roster: Roster;
  rosterEditable: boolean;
  onRoster: (people: RosterEntry[]) => Promise<void>;
}) {
  const { t } = useTranslation();
  return (
    <div className="people">
      {props.canAdmit && (
        <LobbyList lobby={props.lobby} onAdmit={props.onAdmit} onDeny={props.onDeny} />
      )}
      <section aria-labelledby="people-heading">
        <h3 id="people-heading">
          {t('call.people')} ({props.participants.length})
        </h3>
        <ul className="people__list">
          {props.participants.map((p) => (
            <li key={p.id}>
              <strong>
                {p.id === props.selfId ? t('call.you', { name: p.displayName }) : p.displayName}
              </strong>
              <span>
                {p.role ? t(`roles.${p.role}`) : ''}
                {p.organisation ? `, ${p.organisation}` : ''}
              </span>
              {p.handRaised && <span className="badge badge--hand">{t('call.handUp')}</span>}
              {props.lines?.get(p.id) && (
                <span
                  className={`badge badge--q-${props.lines.get(p.id)}`}
                  data-testid="people-line"
                  data-line={props.lines.get(p.id)}
                >
                  {t('call.quality', { quality: t(qualityKey[props.lines.get(p.id)!]) })}
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
      <RosterPanel roster={props.roster} editable={props.rosterEditable} onSave={props.onRoster} />
    </div>
  );
}
