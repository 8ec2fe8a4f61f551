import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { SessionParticipant } from '@samkons/shared';
import { useFeatureT } from '../reports/featureI18n';
import { agendaBundles } from './i18n';
import type { AgendaView } from './useAgenda';
import './agenda.css';

/**
 * The agenda strip of the call: the part on now and the next one for everyone; for the
 * host, moving on (or to any part). In a private part it tells each person, in plain words,
 * whom they can see and hear: the private talk, or the side room.
 */
export function AgendaBar(props: {
  agenda: AgendaView;
  /** Everyone admitted (name and role), to say who is in the private part or side room. */
  participants: readonly SessionParticipant[];
  selfId: string | null;
  /** The host (`canModerate`) moves parts. */
  canMove: boolean;
  /**
   * A phone: one line (the part on now, and moving on); choosing any part is folded behind
   * "Delar", so that the pictures keep the screen.
   */
  compact?: boolean;
  onError: (err: unknown) => void;
}) {
  const { t } = useFeatureT('agenda', agendaBundles);
  const { agenda, participants, selfId } = props;
  const { current, next, parts } = agenda;
  const [choice, setChoice] = useState('');
  const [busy, setBusy] = useState(false);
  const chooser = useRef<HTMLDetailsElement>(null);

  // A part change is announced once (screen readers), besides being shown.
  const [announcement, setAnnouncement] = useState('');
  const seen = useRef(current?.id ?? null);
  useEffect(() => {
    const id = current?.id ?? null;
    if (id === seen.current) return;
    seen.current = id;
    if (current) setAnnouncement(t('moved', { title: current.title }));
  }, [current, t]);

  const move = (partId: string | null) => {
    setBusy(true);
    agenda
      .moveTo(partId)
      .catch(props.onError)
      .finally(() => setBusy(false));
  };
  const submitChoice = (e: FormEvent) => {
    e.preventDefault();
    if (choice === '') return;
    move(choice === 'off' ? null : choice);
    setChoice('');
    if (chooser.current) chooser.current.open = false;
  };

  const others = (group: 'private' | 'side') =>
    participants
      .filter((p) => p.id !== selfId && agenda.groupOf(p.id) === group)
      .map((p) => p.displayName);
  const names = (list: string[]) => (list.length > 0 ? list.join(', ') : t('nobodyElse'));

  // Compact, for the host: the next part is in the button that moves to it.
  const oneLine = props.compact === true && props.canMove;
  const chooseForm = (
    <form className="agenda__choose" onSubmit={submitChoice}>
      <label htmlFor="agenda-choose" className="visually-hidden">
        {t('chooseLabel')}
      </label>
      <select id="agenda-choose" value={choice} onChange={(e) => setChoice(e.target.value)}>
        <option value="">{t('choosePlaceholder')}</option>
        {parts.map((p) => (
          <option key={p.id} value={p.id} disabled={p.id === current?.id}>
            {p.title}
            {p.optional ? ` ${t('optional')}` : ''}
          </option>
        ))}
        {current && <option value="off">{t('offOption')}</option>}
      </select>
      <button
        type="submit"
        className="button button--secondary button--small"
        disabled={busy || choice === ''}
      >
        {t('go')}
      </button>
    </form>
  );

  return (
    <section
      className={`agenda agenda--${current?.audience ?? 'off'}${oneLine ? ' agenda--one-line' : ''}`}
      aria-label={t('barLabel')}
      data-testid="agenda-bar"
      data-part={current?.id ?? ''}
      data-group={agenda.selfGroup}
    >
      <div className="agenda__parts">
        <p className="agenda__now" data-testid="agenda-now">
          {current ? t('now', { title: current.title }) : t('offAgenda')}
        </p>
        {current && !(oneLine && next) && (
          <p className="agenda__next" data-testid="agenda-next">
            {next ? t('next', { title: next.title }) : t('lastPart')}
          </p>
        )}
      </div>
      {props.canMove && (
        <div className="agenda__host">
          {next && (
            <button
              type="button"
              className="button button--small agenda__go-next"
              disabled={busy}
              onClick={() => move(next.id)}
            >
              {current ? t('goNext', { title: next.title }) : t('start', { title: next.title })}
            </button>
          )}
          {oneLine ? (
            <details ref={chooser} className="agenda__chooser">
              <summary className="button button--secondary button--small">{t('parts')}</summary>
              <div className="agenda__chooser-body">{chooseForm}</div>
            </details>
          ) : (
            chooseForm
          )}
        </div>
      )}
      {current?.audience === 'staff_only' && (
        <p className="agenda__note" data-testid="agenda-note">
          {t('staffOnlyNote')}
        </p>
      )}
      {current?.audience === 'private' && agenda.selfGroup === 'private' && (
        <p className="agenda__note agenda__note--private" data-testid="agenda-note">
          {t('privateNoteInside')} {t('privateWith', { names: names(others('private')) })}
        </p>
      )}
      {current?.audience === 'private' && agenda.selfGroup === 'side' && (
        <p className="agenda__note agenda__note--side" data-testid="agenda-note">
          {t('privateNoteSide')} {t('sideRoomWith', { names: names(others('side')) })}
        </p>
      )}
      <div className="visually-hidden" aria-live="polite">
        {announcement}
      </div>
    </section>
  );
}
