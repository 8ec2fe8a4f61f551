import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { CareTeam, Consultation, NewPlanItem } from '@samkons/shared';
import { useQuery, type Query } from '../../api/useQuery';
import { DateField } from '../../app/DateTimeFields';
import { SelectField, TextField } from '../../app/form';
import { LktSection } from './LktSection';
import { planItemInput } from './planItemInput';
import { PlanList } from './PlanList';
import { useLktApi, useLktT } from './useLkt';

/** The agreed plan: items, who owns them, by when; the host adds and removes items. */
export function PlanSection({
  consultation,
  team,
}: {
  consultation: Consultation;
  /** The care team the page loaded: its members are the owners on offer. */
  team: Query<CareTeam | undefined>;
}) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery((signal) => api.plan(consultation.id, signal), [api, consultation.id]);
  const view = q.data;
  return (
    <LktSection id="lkt-plan" title={t('planTitle')} intro={t('planIntro')} query={q}>
      {view && view.items.length === 0 && <p className="lkt-empty">{t('planEmpty')}</p>}
      {view && view.items.length > 0 && (
        <PlanList
          items={view.items}
          actions={{
            ownItemIds: view.ownItemIds,
            onProgress: async (item, body) => {
              await api.progress(item.id, body);
              q.reload();
            },
            onRemove: view.canWrite
              ? async (item) => {
                  await api.removePlanItem(consultation.id, item.id);
                  q.reload();
                }
              : undefined,
          }}
        />
      )}
      {view && view.withheld > 0 && (
        <p className="alert alert--info">{t('planWithheld', { n: view.withheld })}</p>
      )}
      {view?.canWrite && (
        <AddItemForm
          owners={[
            { value: 'patient', label: t('ownerPatient') },
            ...(team.data?.members ?? []).map((m) => ({
              value: m.id,
              label: `${m.name} (${t(`role_${m.role}`)})`,
            })),
          ]}
          onAdd={async (item) => {
            await api.addPlanItem(consultation.id, item);
            q.reload();
          }}
        />
      )}
    </LktSection>
  );
}

function AddItemForm({
  owners,
  onAdd,
}: {
  owners: { value: string; label: string }[];
  onAdd: (item: NewPlanItem) => Promise<void>;
}) {
  const { t } = useLktT();
  const { t: appT } = useTranslation();
  const [what, setWhat] = useState('');
  const [owner, setOwner] = useState('patient');
  const [due, setDue] = useState('');
  const [dueError, setDueError] = useState(false);
  const [error, setError] = useState(false);
  return (
    <form
      className="lkt-plan__form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!what.trim()) return;
        const item = planItemInput(what, owner, due);
        setDueError(item === 'invalidDate');
        setError(false);
        if (item === 'invalidDate') return;
        void onAdd(item)
          .then(() => {
            setWhat('');
            setDue('');
          })
          .catch(() => setError(true));
      }}
    >
      <h3>{t('addItem')}</h3>
      <div className="booking__row">
        <TextField
          id="plan.what"
          label={t('planWhat')}
          value={what}
          onValue={setWhat}
          maxLength={500}
        />
        <SelectField
          id="plan.owner"
          label={t('planWho')}
          value={owner}
          onValue={setOwner}
          options={owners}
        />
        <DateField
          id="plan.due"
          label={t('planDue')}
          value={due}
          onValue={setDue}
          error={dueError ? appT('validation.invalidDate') : undefined}
        />
      </div>
      <button type="submit" className="button">
        {t('addItem')}
      </button>
      {error && (
        <p className="field__error" role="alert">
          {t('error')}
        </p>
      )}
    </form>
  );
}
