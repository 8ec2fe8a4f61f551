import {
  CreateConsultationRequest,
  eidRoles,
  isNationalId,
  isStaffRole,
  type ConsultationKind,
  type JoinLocation,
  type Role,
} from '@samkons/shared';
import type { z } from 'zod';
import type { FieldProblem } from '../../api/errors';
import { fromInputs, parseDateInput, parseTimeInput } from '../../i18n/format';

/** Keys under `validation.` in the i18n resources. */
export type ValidationKey =
  | 'required'
  | 'contactRequired'
  | 'invalidEmail'
  | 'invalidMobile'
  | 'invalidDate'
  | 'invalidTime'
  | 'inPast'
  | 'durationRange'
  | 'distanceRange'
  | 'tooLong'
  | 'atLeastOne'
  | 'needPatient'
  | 'onePatient'
  | 'noPatientInGuidance'
  | 'birthDateRequired'
  | 'birthDateFuture'
  | 'invalidNationalId'
  | 'invalid';

export interface FieldError {
  key: ValidationKey;
  values?: Record<string, number>;
}
/** Field id (`date`, `participants.2.email`, `participants`) -> the first problem. */
export type FieldErrors = Record<string, FieldError>;

export interface ParticipantDraft {
  /** Stable React key; never sent. */
  uid: string;
  role: Role | '';
  name: string;
  organisation: string;
  email: string;
  mobile: string;
  joinsFrom: JoinLocation | '';
  travelKm: string;
  birthDate: string;
  isGuardian: boolean;
  /** Patient or next of kin, when the patient eID is on: empty = the link is enough. */
  nationalId: string;
  /**
   * Staff: their account from the staff directory ('' = none, they get a link and wait in
   * the waiting room). Linked, they see the booking in their own list and join by login.
   */
  accountId: string;
}

export interface BookingDraft {
  kind: ConsultationKind;
  title: string;
  date: string; // dd.mm.yyyy (the app's own date field; ISO accepted too)
  time: string; // HH:mm, 24-hour clock
  durationMin: string;
  documentingOrganisation: string;
  participants: ParticipantDraft[];
}

export const DURATION_MIN = 5;
export const DURATION_MAX = 720;
export const DISTANCE_MAX = 5000;

let uidCounter = 0;
export function emptyParticipant(role: Role | '' = ''): ParticipantDraft {
  uidCounter += 1;
  return {
    uid: `p${uidCounter}`,
    role,
    name: '',
    organisation: '',
    email: '',
    mobile: '',
    joinsFrom: '',
    travelKm: '0',
    birthDate: '',
    isGuardian: false,
    nationalId: '',
    accountId: '',
  };
}

const blank = (s: string) => s.trim() === '';
const orNull = (s: string) => (blank(s) ? null : s.trim());
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MOBILE = /^\+?[0-9 ]{8,20}$/;

/** "150587 10021" -> "15058710021": people type the number with spaces. */
export const normaliseNationalId = (s: string) => s.replace(/\s/g, '');

/** Whether this row asks for a national identity number (patient eID on, right role). */
export const takesNationalId = (role: Role | '', nationalIds: boolean) =>
  nationalIds && role !== '' && eidRoles.includes(role);

/** The staff account a row is linked to, when its role is a staff role. */
export const accountOf = (p: ParticipantDraft): string | null =>
  p.accountId !== '' && p.role !== '' && isStaffRole(p.role) ? p.accountId : null;

/**
 * Local date ("01.12.2026", also "2026-12-01") and 24-hour time ("09:30") from the form
 * -> an instant; null when not a real date or time.
 */
export function localInstant(date: string, time: string): Date | null {
  return fromInputs(date, time);
}

/** A date field ("02.03.1941") as the API's calendar date ("1941-03-02"), or null. */
export function isoDateOf(text: string): string | null {
  const d = parseDateInput(text);
  return d ? `${d.y}-${String(d.m).padStart(2, '0')}-${String(d.d).padStart(2, '0')}` : null;
}

function parseNumber(s: string): number | null {
  const n = Number(s.trim().replace(',', '.'));
  return blank(s) || !Number.isFinite(n) ? null : n;
}

/** Server or zod path (`body/participants/0/email`, `['participants', 0, 'email']`) -> field id. */
export function fieldIdFromPath(path: string | readonly PropertyKey[]): string {
  const parts = (typeof path === 'string' ? path.split(/[/.]/) : path.map(String)).filter(
    (p) => p !== '' && p !== 'body',
  );
  const [first, index, field] = parts;
  if (first === 'participants' && index !== undefined && field) {
    const map: Record<string, string> = { travelDistanceKm: 'travelKm' };
    return `participants.${index}.${map[field] ?? field}`;
  }
  if (first === 'startsAt') return 'date';
  if (first === 'endsAt') return 'duration';
  return first ?? 'form';
}

function keyForIssue(issue: z.core.$ZodIssue, fieldId: string): FieldError {
  if (fieldId.endsWith('.email')) return { key: 'invalidEmail' };
  if (fieldId.endsWith('.mobile')) return { key: 'invalidMobile' };
  if (fieldId.endsWith('.birthDate')) return { key: 'birthDateRequired' };
  if (fieldId.endsWith('.nationalId')) return { key: 'invalidNationalId' };
  if (fieldId === 'duration')
    return { key: 'durationRange', values: { min: DURATION_MIN, max: DURATION_MAX } };
  if (issue.code === 'too_big' && issue.origin === 'string') return { key: 'tooLong' };
  if (issue.code === 'too_small' && issue.origin === 'string') return { key: 'required' };
  return { key: 'invalid' };
}

/** Problems the server listed (a 400 with details), as field errors for the form. */
export function fieldErrorsFromServer(details: readonly FieldProblem[]): FieldErrors {
  const errors: FieldErrors = {};
  for (const d of details) {
    const id = fieldIdFromPath(d.path);
    const key: ValidationKey = id.endsWith('.email')
      ? 'invalidEmail'
      : id.endsWith('.mobile')
        ? 'invalidMobile'
        : id.endsWith('.nationalId')
          ? 'invalidNationalId'
          : 'invalid';
    errors[id] ??= { key };
  }
  return errors;
}

export type BookingResult =
  { ok: true; request: CreateConsultationRequest } | { ok: false; errors: FieldErrors };

export interface BookingOptions {
  /**
   * The server offers the patient eID (providers.patientOidc): patients and next of kin may
   * be booked with a national identity number. Off: the field is not shown nor sent.
   */
  nationalIds?: boolean;
}

/**
 * Checks the booking form: the rules people need plain messages for first, then the shared
 * zod schema (the same one the server uses), so the form never sends what the API rejects.
 */
export function validateBooking(
  draft: BookingDraft,
  now: Date = new Date(),
  opts: BookingOptions = {},
): BookingResult {
  const nationalIds = opts.nationalIds ?? false;
  const nationalIdOf = (p: ParticipantDraft) =>
    takesNationalId(p.role, nationalIds) && !blank(p.nationalId)
      ? normaliseNationalId(p.nationalId)
      : null;
  const errors: FieldErrors = {};
  const set = (id: string, e: FieldError) => {
    errors[id] ??= e;
  };

  if (blank(draft.date)) set('date', { key: 'required' });
  if (blank(draft.time)) set('time', { key: 'required' });
  const start = localInstant(draft.date, draft.time);
  if (!blank(draft.date) && !parseDateInput(draft.date)) set('date', { key: 'invalidDate' });
  if (!blank(draft.time) && !parseTimeInput(draft.time)) set('time', { key: 'invalidTime' });
  if (start && start.getTime() < now.getTime()) set('date', { key: 'inPast' });

  const duration = parseNumber(draft.durationMin);
  if (
    duration === null ||
    !Number.isInteger(duration) ||
    duration < DURATION_MIN ||
    duration > DURATION_MAX
  ) {
    set('duration', { key: 'durationRange', values: { min: DURATION_MIN, max: DURATION_MAX } });
  }
  if (blank(draft.documentingOrganisation)) set('documentingOrganisation', { key: 'required' });
  if (draft.title.trim().length > 200) set('title', { key: 'tooLong' });

  if (draft.participants.length === 0) set('participants', { key: 'atLeastOne' });
  const patients = draft.participants.filter((p) => p.role === 'patient').length;
  if (draft.kind === 'co_consultation' && patients === 0)
    set('participants', { key: 'needPatient' });
  if (patients > 1) set('participants', { key: 'onePatient' });
  if (
    draft.kind === 'guidance' &&
    draft.participants.some((p) => p.role === 'patient' || p.role === 'next_of_kin')
  ) {
    set('participants', { key: 'noPatientInGuidance' });
  }

  const today = now.toISOString().slice(0, 10);
  draft.participants.forEach((p, i) => {
    const f = (name: string) => `participants.${i}.${name}`;
    if (!p.role) set(f('role'), { key: 'required' });
    if (blank(p.name)) set(f('name'), { key: 'required' });
    if (!p.joinsFrom) set(f('joinsFrom'), { key: 'required' });
    // Staff linked to their account are told through their own login; others need a link.
    const linked = accountOf(p) !== null;
    if (!linked && blank(p.email) && blank(p.mobile)) set(f('email'), { key: 'contactRequired' });
    if (!blank(p.email) && !EMAIL.test(p.email.trim())) set(f('email'), { key: 'invalidEmail' });
    if (!blank(p.mobile) && !MOBILE.test(p.mobile.trim()))
      set(f('mobile'), { key: 'invalidMobile' });
    const km = parseNumber(p.travelKm);
    if (km === null || km < 0 || km > DISTANCE_MAX) {
      set(f('travelKm'), { key: 'distanceRange', values: { max: DISTANCE_MAX } });
    }
    if (p.role === 'patient') {
      const birth = isoDateOf(p.birthDate);
      if (blank(p.birthDate)) set(f('birthDate'), { key: 'birthDateRequired' });
      else if (!birth) set(f('birthDate'), { key: 'invalidDate' });
      else if (birth > today) set(f('birthDate'), { key: 'birthDateFuture' });
    }
    const nationalId = nationalIdOf(p);
    if (nationalId !== null && !isNationalId(nationalId)) {
      set(f('nationalId'), { key: 'invalidNationalId' });
    }
  });

  if (Object.keys(errors).length > 0 || !start || duration === null) return { ok: false, errors };

  const request: CreateConsultationRequest = {
    kind: draft.kind,
    title: orNull(draft.title),
    startsAt: start.toISOString(),
    endsAt: new Date(start.getTime() + duration * 60_000).toISOString(),
    documentingOrganisation: draft.documentingOrganisation.trim(),
    participants: draft.participants.map((p) => {
      const nationalId = nationalIdOf(p);
      return {
        role: p.role as Role,
        name: p.name.trim(),
        organisation: orNull(p.organisation),
        email: orNull(p.email),
        mobile: orNull(p.mobile),
        joinsFrom: p.joinsFrom as JoinLocation,
        travelDistanceKm: parseNumber(p.travelKm) ?? 0,
        ...(p.role === 'patient' ? { birthDate: isoDateOf(p.birthDate) ?? p.birthDate } : {}),
        ...(p.role === 'next_of_kin' ? { isGuardian: p.isGuardian } : {}),
        // Only when filled in: without it the invite link alone admits the person.
        ...(nationalId !== null ? { nationalId } : {}),
        ...(accountOf(p) !== null ? { accountId: accountOf(p) } : {}),
      };
    }),
  };

  const parsed = CreateConsultationRequest.safeParse(request);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const id = fieldIdFromPath(issue.path);
      set(id, keyForIssue(issue, id));
    }
    return { ok: false, errors };
  }
  return { ok: true, request };
}

/** Field ids in the order they appear in the form, for the error summary. */
export function orderedErrorIds(errors: FieldErrors, draft: BookingDraft): string[] {
  const order = [
    'kind',
    'title',
    'date',
    'time',
    'duration',
    'documentingOrganisation',
    'participants',
  ];
  const fields = [
    'role',
    'name',
    'organisation',
    'email',
    'mobile',
    'joinsFrom',
    'travelKm',
    'birthDate',
    'nationalId',
  ];
  draft.participants.forEach((_, i) => fields.forEach((f) => order.push(`participants.${i}.${f}`)));
  const known = order.filter((id) => id in errors);
  return [...known, ...Object.keys(errors).filter((id) => !order.includes(id))];
}

/** The names a 409 clash names (each detail's message is a participant's name as booked). */
export function clashNames(details: readonly FieldProblem[]): string[] {
  return [
    ...new Set(details.filter((d) => d.path.startsWith('participants')).map((d) => d.message)),
  ];
}
