import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Roster, RosterEntry } from '@samkons/shared';
import { errorMessageKey } from '../../api/errors';

/**
 * People physically present with the patient ("my daughter is here with me"): shown to
 * everyone, edited from the patient's side only.
 */
export function RosterPanel(props: {
  roster: Roster;
  editable: boolean;
  onSave: (people: RosterEntry[]) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [relation, setRelation] = useState('');
  const [error, setError] = useState<unknown>(null);
  const people = props.roster.people;

  const save = async (next: RosterEntry[]) => {
    try {
      await props.onSave(next);
      setError(null);
      return true;
    } catch (err) {
      setError(err);
      return false;
    }
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return;
    const ok = await save([...people, { name: name.trim(), relation: relation.trim() || null }]);
    if (ok) {
      setName('');
      setRelation('');
    }
  };

  return (
    <section aria-labelledby="roster-heading" className="roster">
      <h3 id="roster-heading">{t('call.rosterTitle')}</h3>
      {people.length === 0 ? (
        <p>{t('call.rosterEmpty')}</p>
      ) : (
        <ul className="roster__list" data-testid="roster">
          {people.map((p, i) => (
            <li key={`${p.name}-${i}`}>
              <span>
                {p.name}
                {p.relation ? ` (${p.relation})` : ''}
              </span>
              {props.editable && (
                <button
                  type="button"
                  className="button button--secondary button--small"
                  onClick={() => void save(people.filter((_, j) => j !== i))}
                >
                  {t('call.rosterRemove', { name: p.name })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {error !== null && (
        <p className="alert alert--error" role="alert">
          {t(errorMessageKey(error))}
        </p>
      )}
      {props.editable && (
        <form onSubmit={(e) => void add(e)} className="roster__form">
          <p id="roster-hint">{t('call.rosterHint')}</p>
          <label htmlFor="roster-name">{t('call.rosterName')}</label>
          <input
            id="roster-name"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
            aria-describedby="roster-hint"
          />
          <label htmlFor="roster-relation">{t('call.rosterRelation')}</label>
          <input
            id="roster-relation"
            value={relation}
            maxLength={100}
            onChange={(e) => setRelation(e.target.value)}
          />
          <button type="submit" className="button">
            {t('call.rosterAdd')}
          </button>
        </form>
      )}
    </section>
  );
}
