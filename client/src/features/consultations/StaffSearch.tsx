import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { StaffDirectoryEntry, StaffRole } from '@samkons/shared';
import { useApi } from '../../api/session';
import { domId } from '../../app/form';

/** Wait this long after the last keystroke before asking the directory. */
const DEBOUNCE_MS = 250;

/**
 * Links a staff participant to their account: a search in the staff directory (name or
 * organisation), as a combobox with a listbox of matches. Once linked, the booked person
 * finds the consultation in their own "Mine konsultasjonar" and joins by their login (no
 * waiting room); without an account they get a link and wait for the host.
 */
export function StaffSearch(props: {
  /** The form field id prefix (participants.N). */
  idPrefix: string;
  role: StaffRole;
  linked: { accountId: string; name: string; organisation: string } | null;
  onPick: (entry: StaffDirectoryEntry) => void;
  onUnlink: () => void;
}) {
  const { t } = useTranslation();
  const api = useApi();
  const listId = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<StaffDirectoryEntry[] | null>(null);
  const [active, setActive] = useState(-1);
  const [failed, setFailed] = useState(false);
  const inputId = domId(`${props.idPrefix}.staffSearch`);

  useEffect(() => {
    const q = query.trim();
    if (q.length < 2) {
      setResults(null);
      return;
    }
    const ctrl = new AbortController();
    const timer = setTimeout(() => {
      api
        .searchStaff(q, props.role, ctrl.signal)
        .then((r) => {
          setFailed(false);
          setResults(r.staff);
          setActive(r.staff.length > 0 ? 0 : -1);
        })
        .catch(() => {
          if (!ctrl.signal.aborted) setFailed(true);
        });
    }, DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      ctrl.abort();
    };
  }, [api, query, props.role]);

  const pick = (entry: StaffDirectoryEntry) => {
    props.onPick(entry);
    setQuery('');
    setResults(null);
  };

  if (props.linked) {
    return (
      <p className="staff-search__linked" role="status">
        <span>
          {t('booking.staffLinked', {
            name: props.linked.name,
            organisation: props.linked.organisation,
          })}
        </span>{' '}
        <button type="button" className="button button--secondary" onClick={props.onUnlink}>
          {t('booking.staffUnlink')}
        </button>
      </p>
    );
  }

  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (!results || results.length === 0) return;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      setActive((a) => (a + 1) % results.length);
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      setActive((a) => (a <= 0 ? results.length - 1 : a - 1));
    } else if (e.key === 'Enter' && active >= 0) {
      e.preventDefault();
      const chosen = results[active];
      if (chosen) pick(chosen);
    } else if (e.key === 'Escape') {
      setResults(null);
    }
  };

  const open = results !== null && results.length > 0;
  return (
    <div className="field staff-search">
      <label htmlFor={inputId}>{t('booking.staffSearch')}</label>
      <p id={`${inputId}-hint`} className="field__hint">
        {t('booking.staffSearchHint')}
      </p>
      <input
        id={inputId}
        type="search"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={open}
        aria-controls={listId}
        aria-describedby={`${inputId}-hint`}
        {...(open && active >= 0 ? { 'aria-activedescendant': `${listId}-${active}` } : {})}
        autoComplete="off"
        value={query}
        maxLength={100}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKey}
      />
      <ul id={listId} role="listbox" className="staff-search__results" hidden={!open}>
        {(results ?? []).map((r, i) => (
          <li
            key={r.id}
            id={`${listId}-${i}`}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'staff-search__option--active' : undefined}
            onMouseDown={(e) => {
              // Before the input's blur: the click picks.
              e.preventDefault();
              pick(r);
            }}
          >
            <span className="staff-search__name">{r.name}</span>{' '}
            <span className="staff-search__org">{r.organisation}</span>
          </li>
        ))}
      </ul>
      <p className="field__hint" aria-live="polite">
        {failed
          ? t('booking.staffSearchFailed')
          : results !== null && results.length === 0
            ? t('booking.staffNoMatch')
            : ''}
      </p>
    </div>
  );
}
