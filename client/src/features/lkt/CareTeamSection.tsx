import { useState } from 'react';
import {
  CareTeamRole,
  type CareTeam,
  type Consultation,
  type NewCareTeamMember,
} from '@samkons/shared';
import type { Query } from '../../api/useQuery';
import { SelectField, TextField } from '../../app/form';
import { CareTeamList } from './CareTeamList';
import { LktSection } from './LktSection';
import { useLktApi, useLktT } from './useLkt';

/** The patient's care team; members of the consultation are added with one click. */
export function CareTeamSection({
  consultation,
  team: q,
}: {
  consultation: Consultation;
  /** Loaded once for the page: the plan section offers the same members as owners. */
  team: Query<CareTeam | undefined>;
}) {
  const { t } = useLktT();
  const api = useLktApi();
  const [error, setError] = useState(false);
  /** Runs a change and reloads the team; false when the change failed. */
  const act = async (f: () => Promise<unknown>) => {
    setError(false);
    try {
      await f();
      q.reload();
      return true;
    } catch {
      setError(true);
      return false;
    }
  };
  const team = q.data;
  const inTeam = new Set(team?.members.map((m) => m.accountId).filter(Boolean));
  const addable = consultation.participants.filter(
    (p) =>
      p.role !== 'patient' &&
      !(p.accountId && inTeam.has(p.accountId)) &&
      !team?.members.some((m) => m.name === p.name),
  );
  return (
    <LktSection id="lkt-team" title={t('careTeamTitle')} intro={t('careTeamIntro')} query={q}>
      {team && (
        <CareTeamList
          members={team.members}
          actions={
            team.canEdit
              ? (m) => (
                  <div className="lkt-team__actions">
                    {!m.isCoordinator && (
                      <button
                        type="button"
                        className="button button--secondary"
                        onClick={() =>
                          void act(() =>
                            api.updateMember(consultation.id, m.id, { isCoordinator: true }),
                          )
                        }
                      >
                        {t('makeCoordinator', { name: m.name })}
                      </button>
                    )}
                    <button
                      type="button"
                      className="button button--danger"
                      onClick={() => void act(() => api.removeMember(consultation.id, m.id))}
                    >
                      {t('removeMember', { name: m.name })}
                    </button>
                  </div>
                )
              : undefined
          }
        />
      )}
      {team?.canEdit && addable.length > 0 && (
        <div className="lkt-team__add-participants">
          {addable.map((p) => (
            <button
              key={p.id}
              type="button"
              className="button button--secondary"
              onClick={() =>
                void act(() =>
                  api.addMember(consultation.id, {
                    role: p.role === 'patient' ? 'other' : p.role,
                    name: p.name,
                    organisation: p.organisation,
                    phone: p.mobile,
                    email: p.email,
                    accountId: p.accountId,
                  }),
                )
              }
            >
              {t('addFromParticipant', { name: p.name })}
            </button>
          ))}
        </div>
      )}
      {team?.canEdit && (
        <AddMemberForm onAdd={(m) => act(() => api.addMember(consultation.id, m))} />
      )}
      {error && (
        <p className="field__error" role="alert">
          {t('error')}
        </p>
      )}
    </LktSection>
  );
}

const EMPTY = { name: '', title: '', organisation: '', phone: '', email: '' };
type TextKey = keyof typeof EMPTY;

/** Adds someone who is not in the consultation; what was typed stays if the add fails. */
function AddMemberForm({ onAdd }: { onAdd: (m: NewCareTeamMember) => Promise<boolean> }) {
  const { t } = useLktT();
  const [role, setRole] = useState<CareTeamRole>('municipal');
  const [form, setForm] = useState(EMPTY);
  const field = (
    key: TextKey,
    label: Parameters<typeof t>[0],
    extra: { maxLength?: number; type?: string } = {},
  ) => (
    <TextField
      id={`team.${key}`}
      label={t(label)}
      value={form[key]}
      onValue={(v) => setForm((f) => ({ ...f, [key]: v }))}
      {...extra}
    />
  );
  const optional = (v: string) => v.trim() || null;
  return (
    <form
      className="lkt-team__form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!form.name.trim()) return;
        void onAdd({
          role,
          name: form.name.trim(),
          title: optional(form.title),
          organisation: optional(form.organisation),
          phone: optional(form.phone),
          email: optional(form.email),
        }).then((added) => added && setForm(EMPTY));
      }}
    >
      <h3>{t('addMember')}</h3>
      <div className="booking__row">
        <SelectField
          id="team.role"
          label={t('memberRole')}
          value={role}
          onValue={(v) => setRole(v as CareTeamRole)}
          options={CareTeamRole.options.map((r) => ({ value: r, label: t(`role_${r}`) }))}
        />
        {field('name', 'memberName', { maxLength: 200 })}
        {field('title', 'memberTitle', { maxLength: 120 })}
      </div>
      <div className="booking__row">
        {field('organisation', 'memberOrganisation', { maxLength: 200 })}
        {field('phone', 'memberPhone', { type: 'tel' })}
        {field('email', 'memberEmail', { type: 'email' })}
      </div>
      <button type="submit" className="button">
        {t('addMember')}
      </button>
    </form>
  );
}
