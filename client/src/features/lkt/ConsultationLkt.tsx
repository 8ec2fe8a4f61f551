import { useState, type FormEvent } from 'react';
import {
  AgendaAudience,
  CareTeamRole,
  privatePartRoles,
  type Agenda,
  type AgendaPartInput,
  type Consultation,
  type PlanOwner,
} from '@samkons/shared';
import { useQuery } from '../../api/useQuery';
import { useSession } from '../../api/session';
import { SelectField, TextField } from '../../app/form';
import { CareTeamList } from './CareTeamList';
import { PlanList } from './PlanList';
import { StoryText } from './StoryForm';
import { useLktApi, useLktT } from './useLkt';
import './lkt.css';

/**
 * The LKT sections of the consultation page (staff): agenda, the patient's story, the care
 * team and the agreed plan. Each fetches its own data, so one failing does not hide the
 * others.
 */
export function ConsultationLkt({ consultation }: { consultation: Consultation }) {
  const hasPatient = consultation.participants.some((p) => p.role === 'patient');
  return (
    <div className="lkt">
      <AgendaSection consultation={consultation} />
      {hasPatient && (
        <>
          <StorySection consultationId={consultation.id} />
          <CareTeamSection consultation={consultation} />
          <PlanSection consultation={consultation} />
        </>
      )}
    </div>
  );
}

function Failed({ onRetry }: { onRetry: () => void }) {
  const { t } = useLktT();
  return (
    <div className="alert alert--error" role="alert">
      {t('error')}{' '}
      <button type="button" className="button button--secondary" onClick={onRetry}>
        {t('retry')}
      </button>
    </div>
  );
}

// --- agenda -------------------------------------------------------------------------------

export function AgendaView({
  agenda,
  consultation,
}: {
  agenda: Pick<Agenda, 'parts'>;
  consultation: Consultation;
}) {
  const { t } = useLktT();
  const nameOf = (id: string) => consultation.participants.find((p) => p.id === id)?.name ?? '';
  return (
    <ol className="lkt-agenda">
      {agenda.parts.map((p) => (
        <li key={p.id} className={`lkt-agenda__part lkt-agenda__part--${p.audience}`}>
          <span className="lkt-agenda__title">{p.title}</span>
          <span className="lkt-agenda__meta">
            {t(`audience_${p.audience}`)}
            {p.optional && ` · ${t('optional')}`}
            {p.agreesPlan && ` · ${t('agreesPlan')}`}
            {p.plannedMinutes !== null && ` · ${t('minutes', { n: p.plannedMinutes })}`}
          </span>
          {p.audience === 'private' && p.privateParticipantIds.length > 0 && (
            <span className="lkt-agenda__meta">
              {t('privateWith', { names: p.privateParticipantIds.map(nameOf).join(', ') })}
            </span>
          )}
        </li>
      ))}
    </ol>
  );
}

function AgendaSection({ consultation }: { consultation: Consultation }) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery((signal) => api.agenda(consultation.id, signal), [api, consultation.id]);
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const { account } = useSession();
  const live = consultation.status === 'booked' || consultation.status === 'in_progress';
  // The server decides; the button shows only where it would say yes (the organiser).
  const mayEdit = live && account?.id === consultation.organiserId;
  return (
    <section aria-labelledby="lkt-agenda-h" className="panel lkt-section">
      <h2 id="lkt-agenda-h">{t('agendaTitle')}</h2>
      <p className="lkt-intro">{t('agendaIntro')}</p>
      <div aria-live="polite">
        {notice && (
          <p className="alert alert--success" role="status">
            {notice}
          </p>
        )}
      </div>
      {q.error !== undefined && <Failed onRetry={q.reload} />}
      {q.data && !editing && <AgendaView agenda={q.data} consultation={consultation} />}
      {q.data && editing && (
        <AgendaEditor
          consultation={consultation}
          initial={q.data.parts}
          saveLabel={t('saveAgenda')}
          onCancel={() => setEditing(false)}
          onSave={async (parts) => {
            const saved = await api.saveAgenda(consultation.id, {
              expectedVersion: q.data!.version,
              parts,
            });
            q.setData(saved);
            setEditing(false);
            setNotice(t('agendaSaved'));
          }}
        />
      )}
      {q.data && !editing && mayEdit && (
        <button
          type="button"
          className="button button--secondary"
          onClick={() => {
            setNotice(null);
            setEditing(true);
          }}
        >
          {t('editAgenda')}
        </button>
      )}
    </section>
  );
}

/**
 * Edits an ordered list of parts: title, audience, optional, plan part, who is in a private
 * part (participants of the consultation; none at booking, where the organiser is named).
 */
export function AgendaEditor({
  consultation,
  initial,
  onSave,
  onCancel,
  saveLabel,
  onChange,
}: {
  consultation?: Consultation;
  initial: readonly AgendaPartInput[];
  onSave?: (parts: AgendaPartInput[]) => Promise<void>;
  onCancel?: () => void;
  saveLabel?: string;
  /** Booking: every change goes up at once (no save button). */
  onChange?: (parts: AgendaPartInput[]) => void;
}) {
  const { t } = useLktT();
  const [parts, setParts] = useState<AgendaPartInput[]>(() => initial.map((p) => ({ ...p })));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const update = (next: AgendaPartInput[]) => {
    setParts(next);
    onChange?.(next);
  };
  const patch = (i: number, p: Partial<AgendaPartInput>) =>
    update(
      parts.map((x, k) =>
        k === i ? { ...x, ...p } : p.agreesPlan ? { ...x, agreesPlan: false } : x,
      ),
    );
  const move = (i: number, d: -1 | 1) => {
    const next = [...parts];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    update(next);
  };
  const clinicians = (consultation?.participants ?? []).filter((p) =>
    privatePartRoles.includes(p.role),
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!onSave || busy) return;
    if (parts.some((p) => !p.title.trim())) return setError(t('partTitle'));
    setBusy(true);
    setError(null);
    try {
      await onSave(
        parts.map((p) => ({
          ...p,
          title: p.title.trim(),
          privateParticipantIds: p.audience === 'private' ? (p.privateParticipantIds ?? []) : [],
        })),
      );
    } catch (err) {
      setError((err as { code?: string }).code === 'conflict' ? t('agendaConflict') : t('error'));
    } finally {
      setBusy(false);
    }
  };

  const body = (
    <>
      <ol className="lkt-agenda-editor">
        {parts.map((p, i) => (
          <li key={p.id ?? `new-${i}`} className="lkt-agenda-editor__part">
            <TextField
              id={`agenda.${i}.title`}
              label={t('partTitle')}
              value={p.title}
              maxLength={120}
              onValue={(v) => patch(i, { title: v })}
            />
            <SelectField
              id={`agenda.${i}.audience`}
              label={t('partAudience')}
              value={p.audience}
              options={AgendaAudience.options.map((a) => ({ value: a, label: t(`audience_${a}`) }))}
              onValue={(v) => patch(i, { audience: v as AgendaPartInput['audience'] })}
            />
            <label className="lkt-check">
              <input
                type="checkbox"
                checked={p.optional}
                onChange={(e) => patch(i, { optional: e.target.checked })}
              />
              {t('partOptional')}
            </label>
            <label className="lkt-check">
              <input
                type="checkbox"
                checked={p.agreesPlan ?? false}
                onChange={(e) => patch(i, { agreesPlan: e.target.checked })}
              />
              {t('partPlan')}
            </label>
            {p.audience === 'private' && clinicians.length > 0 && (
              <fieldset className="lkt-agenda-editor__private">
                <legend>{t('partPrivateWith')}</legend>
                {clinicians.map((c) => (
                  <label key={c.id} className="lkt-check">
                    <input
                      type="checkbox"
                      checked={(p.privateParticipantIds ?? []).includes(c.id)}
                      onChange={(e) => {
                        const ids = new Set(p.privateParticipantIds ?? []);
                        if (e.target.checked) ids.add(c.id);
                        else ids.delete(c.id);
                        patch(i, { privateParticipantIds: [...ids] });
                      }}
                    />
                    {c.name}
                  </label>
                ))}
              </fieldset>
            )}
            <div className="lkt-agenda-editor__tools">
              <button
                type="button"
                className="button button--secondary"
                disabled={i === 0}
                onClick={() => move(i, -1)}
              >
                {t('moveUp', { title: p.title || t('newPart') })}
              </button>
              <button
                type="button"
                className="button button--secondary"
                disabled={i === parts.length - 1}
                onClick={() => move(i, 1)}
              >
                {t('moveDown', { title: p.title || t('newPart') })}
              </button>
              <button
                type="button"
                className="button button--danger"
                disabled={parts.length === 1}
                onClick={() => update(parts.filter((_, k) => k !== i))}
              >
                {t('removePart', { title: p.title || t('newPart') })}
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="button button--secondary"
        disabled={parts.length >= 12}
        onClick={() =>
          update([
            ...parts,
            {
              title: t('newPart'),
              audience: 'everyone',
              optional: false,
              agreesPlan: false,
              plannedMinutes: null,
              privateParticipantIds: [],
            },
          ])
        }
      >
        {t('addPart')}
      </button>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </>
  );
  if (!onSave) return <div className="lkt-agenda-editor__wrap">{body}</div>;
  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="lkt-agenda-editor__wrap">
      {body}
      <div className="page-actions">
        <button type="submit" className="button" aria-disabled={busy}>
          {saveLabel}
        </button>
        {onCancel && (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('cancelEdit')}
          </button>
        )}
      </div>
    </form>
  );
}

// --- story -----------------------------------------------------------------------------

function StorySection({ consultationId }: { consultationId: string }) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery(
    (signal) => api.story(consultationId, undefined, signal),
    [api, consultationId],
  );
  return (
    <section aria-labelledby="lkt-story-h" className="panel lkt-section">
      <h2 id="lkt-story-h">{t('storyTitle')}</h2>
      {q.error !== undefined && <Failed onRetry={q.reload} />}
      {q.data && <StoryText view={q.data} />}
    </section>
  );
}

// --- care team ---------------------------------------------------------------------------

function CareTeamSection({ consultation }: { consultation: Consultation }) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery((signal) => api.careTeam(consultation.id, signal), [api, consultation.id]);
  const [error, setError] = useState(false);
  const act = async (f: () => Promise<unknown>) => {
    setError(false);
    try {
      await f();
      q.reload();
    } catch {
      setError(true);
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
    <section aria-labelledby="lkt-team-h" className="panel lkt-section">
      <h2 id="lkt-team-h">{t('careTeamTitle')}</h2>
      <p className="lkt-intro">{t('careTeamIntro')}</p>
      {q.error !== undefined && <Failed onRetry={q.reload} />}
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
    </section>
  );
}

function AddMemberForm({
  onAdd,
}: {
  onAdd: (m: {
    role: CareTeamRole;
    name: string;
    title: string | null;
    organisation: string | null;
    phone: string | null;
    email: string | null;
  }) => Promise<void>;
}) {
  const { t } = useLktT();
  const [role, setRole] = useState<CareTeamRole>('municipal');
  const [name, setName] = useState('');
  const [title, setTitle] = useState('');
  const [organisation, setOrganisation] = useState('');
  const [phone, setPhone] = useState('');
  const [email, setEmail] = useState('');
  return (
    <form
      className="lkt-team__form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!name.trim()) return;
        void onAdd({
          role,
          name: name.trim(),
          title: title.trim() || null,
          organisation: organisation.trim() || null,
          phone: phone.trim() || null,
          email: email.trim() || null,
        }).then(() => {
          setName('');
          setTitle('');
          setOrganisation('');
          setPhone('');
          setEmail('');
        });
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
        <TextField
          id="team.name"
          label={t('memberName')}
          value={name}
          onValue={setName}
          maxLength={200}
        />
        <TextField
          id="team.title"
          label={t('memberTitle')}
          value={title}
          onValue={setTitle}
          maxLength={120}
        />
      </div>
      <div className="booking__row">
        <TextField
          id="team.organisation"
          label={t('memberOrganisation')}
          value={organisation}
          onValue={setOrganisation}
          maxLength={200}
        />
        <TextField
          id="team.phone"
          type="tel"
          label={t('memberPhone')}
          value={phone}
          onValue={setPhone}
        />
        <TextField
          id="team.email"
          type="email"
          label={t('memberEmail')}
          value={email}
          onValue={setEmail}
        />
      </div>
      <button type="submit" className="button">
        {t('addMember')}
      </button>
    </form>
  );
}

// --- plan ----------------------------------------------------------------------------------

function PlanSection({ consultation }: { consultation: Consultation }) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery((signal) => api.plan(consultation.id, signal), [api, consultation.id]);
  const team = useQuery((signal) => api.careTeam(consultation.id, signal), [api, consultation.id]);
  const view = q.data;
  return (
    <section aria-labelledby="lkt-plan-h" className="panel lkt-section">
      <h2 id="lkt-plan-h">{t('planTitle')}</h2>
      <p className="lkt-intro">{t('planIntro')}</p>
      {q.error !== undefined && <Failed onRetry={q.reload} />}
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
          onAdd={async (what, owner, dueDate) => {
            await api.addPlanItem(consultation.id, { what, owner, dueDate });
            q.reload();
          }}
        />
      )}
    </section>
  );
}

function AddItemForm({
  owners,
  onAdd,
}: {
  owners: { value: string; label: string }[];
  onAdd: (what: string, owner: PlanOwner, dueDate: string | null) => Promise<void>;
}) {
  const { t } = useLktT();
  const [what, setWhat] = useState('');
  const [owner, setOwner] = useState('patient');
  const [due, setDue] = useState('');
  const [error, setError] = useState(false);
  return (
    <form
      className="lkt-plan__form"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (!what.trim()) return;
        setError(false);
        void onAdd(
          what.trim(),
          owner === 'patient' ? { kind: 'patient' } : { kind: 'care_team_member', memberId: owner },
          due || null,
        )
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
        <TextField id="plan.due" type="date" label={t('planDue')} value={due} onValue={setDue} />
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
