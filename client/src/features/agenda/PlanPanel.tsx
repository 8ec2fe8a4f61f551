import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { NewPlanItem, PlanItem } from '@samkons/shared';
import { DateField } from '../../app/DateTimeFields';
import { useFeatureT } from '../reports/featureI18n';
import { formatDate } from '../../i18n/format';
import { planItemInput } from '../lkt/planItemInput';
import { agendaBundles } from './i18n';

export interface PlanOwnerChoice {
  /** `patient` or a care team member id. */
  value: string;
  label: string;
}

/**
 * The agreed plan in the call: everyone sees the items as they are written; the host adds
 * (what, who from the care team or the patient, by when) and removes them.
 */
export function PlanPanel(props: {
  items: readonly PlanItem[];
  canWrite: boolean;
  owners: readonly PlanOwnerChoice[];
  onAdd: (item: NewPlanItem) => Promise<unknown>;
  onRemove: (itemId: string) => Promise<unknown>;
  onError: (err: unknown) => void;
}) {
  const { t, lang } = useFeatureT('agenda', agendaBundles);
  const { t: appT } = useTranslation();
  const [what, setWhat] = useState('');
  const [owner, setOwner] = useState('patient');
  const [due, setDue] = useState('');
  const [dueError, setDueError] = useState(false);
  const [busy, setBusy] = useState(false);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!what.trim()) return;
    const item = planItemInput(what, owner, due);
    setDueError(item === 'invalidDate');
    if (item === 'invalidDate') return;
    setBusy(true);
    props
      .onAdd(item)
      .then(() => {
        setWhat('');
        setDue('');
      })
      .catch(props.onError)
      .finally(() => setBusy(false));
  };

  return (
    <section className="plan" aria-labelledby="plan-heading" data-testid="live-plan">
      <h2 id="plan-heading" className="plan__title">
        {t('planTitle')}
      </h2>
      {props.items.length === 0 ? (
        <p>{t('planEmpty')}</p>
      ) : (
        <ul className="plan__items" aria-label={t('planCount', { n: props.items.length })}>
          {props.items.map((item) => (
            <li key={item.id} className="plan__item" data-testid="plan-item">
              <span className="plan__what">{item.what}</span>
              <span className="plan__meta">
                {t('planBy', { name: item.ownerName })}
                {item.dueDate ? ` · ${t('planDue', { date: formatDate(item.dueDate, lang) })}` : ''}
                {' · '}
                {item.status === 'done' ? t('planDone') : t('planOpen')}
              </span>
              {props.canWrite && (
                <button
                  type="button"
                  className="button button--secondary button--small"
                  aria-label={t('planRemove', { what: item.what })}
                  onClick={() => void props.onRemove(item.id).catch(props.onError)}
                >
                  {t('planRemoveShort')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {props.canWrite && (
        <form className="plan__form" onSubmit={submit}>
          <div className="plan__field plan__field--what">
            <label htmlFor="plan-what">{t('planWhat')}</label>
            <input
              id="plan-what"
              value={what}
              maxLength={500}
              onChange={(e) => setWhat(e.target.value)}
            />
          </div>
          <div className="plan__field">
            <label htmlFor="plan-who">{t('planWho')}</label>
            <select id="plan-who" value={owner} onChange={(e) => setOwner(e.target.value)}>
              <option value="patient">{t('planPatient')}</option>
              {props.owners.map((o) => (
                <option key={o.value} value={o.value}>
                  {o.label}
                </option>
              ))}
            </select>
          </div>
          <div className="plan__field">
            <DateField
              id="plan-when"
              label={t('planWhen')}
              hint=""
              value={due}
              onValue={setDue}
              error={dueError ? appT('validation.invalidDate') : undefined}
            />
          </div>
          <button type="submit" className="button button--small" disabled={busy || !what.trim()}>
            {t('planAdd')}
          </button>
          {props.owners.length === 0 && <p className="plan__hint">{t('planNoCareTeam')}</p>}
        </form>
      )}
    </section>
  );
}
