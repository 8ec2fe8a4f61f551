import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import {
  ConsultationKind,
  JoinLocation,
  Role,
  isStaffRole,
  type AgendaDraft,
} from '@samkons/shared';
import { usePageTitle } from '../../app/usePageTitle';
import { SelectField, TextField, domId } from '../../app/form';
import { DateField, TimeField } from '../../app/DateTimeFields';
import { toDateInput } from '../../i18n/format';
import { useSession } from '../../api/session';
import { errorMessageKey, isApiError } from '../../api/errors';
import {
  clashNames,
  emptyParticipant,
  fieldErrorsFromServer,
  orderedErrorIds,
  takesNationalId,
  validateBooking,
  type BookingDraft,
  type FieldError,
  type FieldErrors,
  type ParticipantDraft,
} from './validation';
import { useCreateConsultation } from './hooks';
import { StaffSearch } from './StaffSearch';
import { patientEidName, useAuthProviders } from '../auth/useAuthProviders';
import './consultations.css';
import { BookingAgenda } from '../lkt/BookingAgenda';

function initialDraft(organisation: string): BookingDraft {
  const tomorrow = new Date(Date.now() + 86400_000);
  return {
    kind: 'co_consultation',
    title: '',
    date: toDateInput(tomorrow),
    time: '09:00',
    durationMin: '45',
    documentingOrganisation: organisation,
    participants: [emptyParticipant('patient'), emptyParticipant('gp')],
  };
}

export function BookingPage() {
  const { t } = useTranslation();
  usePageTitle(t('booking.title'));
  const { account } = useSession();
  const navigate = useNavigate();
  const create = useCreateConsultation();
  const providers = useAuthProviders();
  // Patients and next of kin can be asked to log in with the patient eID (ID-porten).
  const nationalIds = providers.patientOidc;
  const eidName = patientEidName(providers);

  const [draft, setDraft] = useState<BookingDraft>(() => initialDraft(account?.organisation ?? ''));
  const [errors, setErrors] = useState<FieldErrors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const summaryRef = useRef<HTMLDivElement>(null);
  const addedRef = useRef<string | null>(null);

  const msg = (e: FieldError | undefined) =>
    e ? t(`validation.${e.key}`, e.values ?? {}) : undefined;
  const err = (id: string) => msg(errors[id]);

  const set = <K extends keyof BookingDraft>(key: K, value: BookingDraft[K]) =>
    setDraft((d) => ({ ...d, [key]: value }));
  const setParticipant = (uid: string, patch: Partial<ParticipantDraft>) =>
    setDraft((d) => ({
      ...d,
      participants: d.participants.map((p) => (p.uid === uid ? { ...p, ...patch } : p)),
    }));

  const [agenda, setAgenda] = useState<AgendaDraft | undefined>(undefined);
  const [failures, setFailures] = useState(0);
  // After a failed submit, focus the summary: it is read out and lists links to each field.
  useEffect(() => {
    if (failures > 0) summaryRef.current?.focus();
  }, [failures]);

  const showErrors = (next: FieldErrors, general: string | null) => {
    setErrors(next);
    setFormError(general);
    setFailures((n) => n + 1);
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const result = validateBooking(draft, new Date(), { nationalIds });
    if (!result.ok) return showErrors(result.errors, null);
    setBusy(true);
    try {
      const consultation = await create({ ...result.request, ...(agenda ? { agenda } : {}) });
      void navigate(`/consultations/${consultation.id}`, { state: { flash: 'booked' } });
    } catch (error) {
      if (isApiError(error) && error.code === 'conflict') {
        const names = clashNames(error.details);
        showErrors(
          {},
          names.length > 0
            ? t('booking.conflictWho', { names: names.join(', ') })
            : t('booking.conflict'),
        );
      } else if (isApiError(error) && error.code === 'bad_request' && error.details.length > 0) {
        showErrors(fieldErrorsFromServer(error.details), null);
      } else {
        showErrors({}, t(errorMessageKey(error)));
      }
    } finally {
      setBusy(false);
    }
  };

  const addParticipant = () => {
    const p = emptyParticipant();
    addedRef.current = p.uid;
    setDraft((d) => ({ ...d, participants: [...d.participants, p] }));
    // Move focus to the new participant's first field.
    requestAnimationFrame(() =>
      document.getElementById(domId(`participants.${draft.participants.length}.role`))?.focus(),
    );
  };
  const removeParticipant = (uid: string) => {
    setDraft((d) => ({ ...d, participants: d.participants.filter((p) => p.uid !== uid) }));
    setErrors({});
    requestAnimationFrame(() => document.getElementById('add-participant')?.focus());
  };

  const errorIds = orderedErrorIds(errors, draft);
  const roleOptions = Role.options.map((r) => ({ value: r, label: t(`roles.${r}`) }));
  const locationOptions = JoinLocation.options.map((l) => ({
    value: l,
    label: t(`joinFrom.${l}`),
  }));

  return (
    <form className="booking" onSubmit={(e) => void onSubmit(e)} noValidate>
      <h1>{t('booking.title')}</h1>
      <p>{t('booking.intro')}</p>

      {(errorIds.length > 0 || formError) && (
        <div className="error-summary" role="alert" tabIndex={-1} ref={summaryRef}>
          {formError && <p>{formError}</p>}
          {errorIds.length > 0 && (
            <>
              <h2>{t('booking.errorSummary', { count: errorIds.length })}</h2>
              <ul>
                {errorIds.map((id) => (
                  <li key={id}>
                    <a href={`#${domId(id)}`}>
                      {fieldLabel(id, draft, t)}: {err(id)}
                    </a>
                  </li>
                ))}
              </ul>
            </>
          )}
        </div>
      )}

      <fieldset>
        <legend>{t('booking.details')}</legend>
        <SelectField
          id="kind"
          label={t('booking.kind')}
          value={draft.kind}
          onValue={(v) => set('kind', ConsultationKind.parse(v))}
          options={ConsultationKind.options.map((k) => ({ value: k, label: t(`kinds.${k}`) }))}
        />
        <TextField
          id="title"
          label={t('booking.titleField')}
          hint={t('booking.titleHint')}
          error={err('title')}
          value={draft.title}
          onValue={(v) => set('title', v)}
          maxLength={200}
        />
        <div className="booking__row">
          <DateField
            id="date"
            label={t('booking.date')}
            error={err('date')}
            value={draft.date}
            onValue={(v) => set('date', v)}
            required
          />
          <TimeField
            id="time"
            label={t('booking.time')}
            error={err('time')}
            value={draft.time}
            onValue={(v) => set('time', v)}
            required
          />
          <TextField
            id="duration"
            type="number"
            inputMode="numeric"
            min={5}
            max={720}
            step={5}
            label={t('booking.duration')}
            error={err('duration')}
            value={draft.durationMin}
            onValue={(v) => set('durationMin', v)}
            required
          />
        </div>
        <TextField
          id="documentingOrganisation"
          label={t('booking.docOrg')}
          hint={t('booking.docOrgHint')}
          error={err('documentingOrganisation')}
          value={draft.documentingOrganisation}
          onValue={(v) => set('documentingOrganisation', v)}
          autoComplete="organization"
          required
        />
      </fieldset>

      {/* LKT (lkt-data): the agenda chosen at booking. */}
      <BookingAgenda kind={draft.kind} onChange={setAgenda} />

      <fieldset aria-describedby="participants-hint">
        <legend>{t('booking.participants')}</legend>
        <p id="participants-hint">{t('booking.youAreIncluded')}</p>
        {err('participants') && (
          <p id={domId('participants')} className="field__error" tabIndex={-1}>
            {err('participants')}
          </p>
        )}
        {draft.participants.map((p, i) => (
          <ParticipantFields
            key={p.uid}
            index={i}
            participant={p}
            err={err}
            roleOptions={roleOptions}
            locationOptions={locationOptions}
            nationalIds={nationalIds}
            eidName={eidName}
            onChange={(patch) => setParticipant(p.uid, patch)}
            onRemove={() => removeParticipant(p.uid)}
          />
        ))}
        <button
          id="add-participant"
          type="button"
          className="button button--secondary"
          onClick={addParticipant}
        >
          {t('booking.addParticipant')}
        </button>
      </fieldset>

      <div className="page-actions">
        <button type="submit" className="button button--large" aria-disabled={busy}>
          {busy ? t('booking.submitting') : t('booking.submit')}
        </button>
        <Link to="/" className="button button--secondary button--large">
          {t('booking.cancel')}
        </Link>
      </div>
    </form>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

function fieldLabel(id: string, draft: BookingDraft, t: T): string {
  const m = /^participants\.(\d+)\.(\w+)$/.exec(id);
  if (m) {
    const labels: Record<string, string> = {
      role: t('booking.role'),
      name: t('booking.name'),
      organisation: t('booking.organisation'),
      email: t('booking.email'),
      mobile: t('booking.mobile'),
      joinsFrom: t('booking.joinFrom'),
      travelKm: t('booking.travelKm'),
      birthDate: t('booking.birthDate'),
      isGuardian: t('booking.guardian'),
      nationalId: t('booking.nationalId'),
    };
    const n = Number(m[1]) + 1;
    return `${t('booking.participantN', { n })}, ${labels[m[2] ?? ''] ?? m[2]}`;
  }
  const labels: Record<string, string> = {
    kind: t('booking.kind'),
    title: t('booking.titleField'),
    date: t('booking.date'),
    time: t('booking.time'),
    duration: t('booking.duration'),
    documentingOrganisation: t('booking.docOrg'),
    participants: t('booking.participants'),
  };
  void draft;
  return labels[id] ?? id;
}

function ParticipantFields(props: {
  index: number;
  participant: ParticipantDraft;
  err: (id: string) => string | undefined;
  roleOptions: { value: string; label: string }[];
  locationOptions: { value: string; label: string }[];
  /** Show the national identity number for patient and next of kin (patient eID on). */
  nationalIds: boolean;
  /** The patient eID's name for the hint ("ID-porten"). */
  eidName: string;
  onChange: (patch: Partial<ParticipantDraft>) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const { index: i, participant: p, err, onChange } = props;
  const id = (f: string) => `participants.${i}.${f}`;
  const n = i + 1;
  const legend = p.name.trim()
    ? `${t('booking.participantN', { n })}: ${p.name.trim()}`
    : t('booking.participantN', { n });
  return (
    <fieldset className="booking__participant">
      <legend>{legend}</legend>
      <div className="booking__row">
        <SelectField
          id={id('role')}
          label={t('booking.role')}
          error={err(id('role'))}
          value={p.role}
          placeholder={t('booking.chooseRole')}
          onValue={(v) => {
            const role = Role.safeParse(v);
            // Another role: the account picked for the old one no longer fits.
            if (role.success) onChange({ role: role.data, accountId: '' });
          }}
          options={props.roleOptions}
          required
        />
        <TextField
          id={id('name')}
          label={t('booking.name')}
          error={err(id('name'))}
          value={p.name}
          onValue={(v) => onChange({ name: v })}
          autoComplete="off"
          maxLength={200}
          required
        />
        <TextField
          id={id('organisation')}
          label={t('booking.organisation')}
          error={err(id('organisation'))}
          value={p.organisation}
          onValue={(v) => onChange({ organisation: v })}
          autoComplete="off"
          maxLength={200}
        />
      </div>
      {p.role !== '' && isStaffRole(p.role) && (
        <StaffSearch
          idPrefix={`participants.${i}`}
          role={p.role}
          linked={
            p.accountId
              ? { accountId: p.accountId, name: p.name, organisation: p.organisation }
              : null
          }
          onPick={(entry) =>
            onChange({ accountId: entry.id, name: entry.name, organisation: entry.organisation })
          }
          onUnlink={() => onChange({ accountId: '' })}
        />
      )}
      <p id={`${domId(id('contact'))}-hint`} className="field__hint">
        {p.accountId ? t('booking.contactHintLinked') : t('booking.contactHint')}
      </p>
      <div className="booking__row">
        <TextField
          id={id('email')}
          type="email"
          label={t('booking.email')}
          error={err(id('email'))}
          value={p.email}
          onValue={(v) => onChange({ email: v })}
          autoComplete="off"
          maxLength={254}
        />
        <TextField
          id={id('mobile')}
          type="tel"
          label={t('booking.mobile')}
          error={err(id('mobile'))}
          value={p.mobile}
          onValue={(v) => onChange({ mobile: v })}
          autoComplete="off"
          maxLength={20}
        />
      </div>
      <div className="booking__row">
        <SelectField
          id={id('joinsFrom')}
          label={t('booking.joinFrom')}
          error={err(id('joinsFrom'))}
          value={p.joinsFrom}
          placeholder="—"
          onValue={(v) => {
            const loc = JoinLocation.safeParse(v);
            if (loc.success) onChange({ joinsFrom: loc.data });
          }}
          options={props.locationOptions}
          required
        />
        <TextField
          id={id('travelKm')}
          type="text"
          inputMode="decimal"
          label={t('booking.travelKm')}
          hint={t('booking.travelKmHint')}
          error={err(id('travelKm'))}
          value={p.travelKm}
          onValue={(v) => onChange({ travelKm: v })}
        />
        {p.role === 'patient' && (
          <DateField
            id={id('birthDate')}
            label={t('booking.birthDate')}
            error={err(id('birthDate'))}
            value={p.birthDate}
            onValue={(v) => onChange({ birthDate: v })}
            required
          />
        )}
      </div>
      {p.role === 'next_of_kin' && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={p.isGuardian}
            onChange={(e) => onChange({ isGuardian: e.target.checked })}
          />
          {t('booking.guardian')}
        </label>
      )}
      {takesNationalId(p.role, props.nationalIds) && (
        <TextField
          id={id('nationalId')}
          type="text"
          inputMode="numeric"
          label={t('booking.nationalId')}
          hint={t('booking.nationalIdHint', { name: props.eidName })}
          error={err(id('nationalId'))}
          value={p.nationalId}
          onValue={(v) => onChange({ nationalId: v })}
          autoComplete="off"
          spellCheck={false}
          maxLength={14}
          className="booking__national-id"
        />
      )}
      <button type="button" className="button button--secondary" onClick={props.onRemove}>
        {t('booking.removeParticipant', { n })}
      </button>
    </fieldset>
  );
}
