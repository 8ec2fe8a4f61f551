import { useState, type FormEvent } from 'react';
import { isOverdue, type PlanItem } from '@samkons/shared';
import { formatDate, formatShortDateTime, osloToday } from '../../i18n/format';
import { useLktT } from './useLkt';

export interface PlanActions {
  /** Item ids the viewer may mark done or add notes to. */
  ownItemIds: readonly string[];
  onProgress: (item: PlanItem, body: { status?: 'open' | 'done'; note?: string }) => Promise<void>;
  /** The host removes items. */
  onRemove?: ((item: PlanItem) => Promise<void>) | undefined;
}

/**
 * The items of a plan: what, who, by when, status and notes. Owners get "mark done" and a
 * note field on their own items; the host may remove items.
 */
export function PlanList({
  items,
  actions,
}: {
  items: readonly PlanItem[];
  actions?: PlanActions;
}) {
  const { t } = useLktT();
  const today = osloToday();
  return (
    <ul className="lkt-plan">
      {items.map((item) => {
        const own = actions?.ownItemIds.includes(item.id) ?? false;
        const late = isOverdue(item, today);
        return (
          <li key={item.id} className={`lkt-plan__item lkt-plan__item--${item.status}`}>
            <div className="lkt-plan__main">
              <p className="lkt-plan__what">{item.what}</p>
              <p className="lkt-plan__meta">
                <span>
                  {t('planWho')}:{' '}
                  {item.owner.kind === 'patient' ? t('ownerPatient') : item.ownerName}
                  {item.owner.kind !== 'patient' && ` (${t(roleKey(item.ownerRole))})`}
                </span>
                <span>
                  {t('planDue')}: {item.dueDate ? formatDate(item.dueDate) : t('planNoDue')}
                </span>
                <span className={`lkt-status lkt-status--${late ? 'late' : item.status}`}>
                  {item.status === 'done'
                    ? t('doneBy', {
                        date: formatShortDateTime(item.doneAt ?? item.updatedAt),
                        name: item.doneByName ?? '',
                      })
                    : late
                      ? t('overdue')
                      : t('status_open')}
                </span>
              </p>
              {item.notes.length > 0 && (
                <ul className="lkt-plan__notes">
                  {item.notes.map((n) => (
                    <li key={n.id}>
                      <span className="lkt-plan__note-by">
                        {n.authorName}, {formatShortDateTime(n.createdAt)}:
                      </span>{' '}
                      {n.text}
                    </li>
                  ))}
                </ul>
              )}
            </div>
            {actions && (own || actions.onRemove) && (
              <ItemActions item={item} own={own} actions={actions} />
            )}
          </li>
        );
      })}
    </ul>
  );
}

function roleKey(role: string) {
  const known = ['specialist', 'gp', 'municipal', 'next_of_kin', 'interpreter', 'other', 'patient'];
  return `role_${known.includes(role) ? role : 'other'}` as 'role_other';
}

function ItemActions({
  item,
  own,
  actions,
}: {
  item: PlanItem;
  own: boolean;
  actions: PlanActions;
}) {
  const { t } = useLktT();
  const [note, setNote] = useState('');
  const [noting, setNoting] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(false);
  const run = async (body: { status?: 'open' | 'done'; note?: string }) => {
    setBusy(true);
    setError(false);
    try {
      await actions.onProgress(item, body);
      setNote('');
      setNoting(false);
    } catch {
      setError(true);
    } finally {
      setBusy(false);
    }
  };
  const noteId = `lkt-note-${item.id}`;
  return (
    <div className="lkt-plan__actions">
      {own && (
        <button
          type="button"
          className="button button--secondary"
          aria-disabled={busy}
          onClick={() => void run({ status: item.status === 'done' ? 'open' : 'done' })}
        >
          {item.status === 'done'
            ? t('reopen', { what: item.what })
            : t('markDone', { what: item.what })}
        </button>
      )}
      {own && !noting && (
        <button type="button" className="button button--secondary" onClick={() => setNoting(true)}>
          {t('addNote')}
        </button>
      )}
      {own && noting && (
        <form
          className="lkt-plan__note-form"
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            if (note.trim()) void run({ note: note.trim() });
          }}
        >
          <label htmlFor={noteId}>{t('noteLabel', { what: item.what })}</label>
          <textarea
            id={noteId}
            value={note}
            maxLength={1000}
            rows={2}
            onChange={(e) => setNote(e.target.value)}
          />
          <button type="submit" className="button" aria-disabled={busy}>
            {t('saveNote')}
          </button>
        </form>
      )}
      {actions.onRemove && (
        <button
          type="button"
          className="button button--danger"
          onClick={() => void actions.onRemove?.(item)}
        >
          {t('removeItem', { what: item.what })}
        </button>
      )}
      {error && (
        <p className="field__error" role="alert">
          {t('error')}
        </p>
      )}
    </div>
  );
}
