import { useEffect, useRef, useState, type FormEvent, type RefObject } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { isStaffRole, type Consent, type Consultation, type Participant } from '@samkons/shared';
import { usePageTitle } from '../../app/usePageTitle';
import { TextField } from '../../app/form';
import { errorMessageKey, isApiError } from '../../api/errors';
import {
  formatDateTime,
  formatShortDateTime,
  formatTime,
  toDateInput,
  toTimeInput,
} from '../../i18n/format';
import { DateField, TimeField } from '../../app/DateTimeFields';
import { consentStateFor, useConsultation } from './hooks';
import { VerbalConsentForm } from '../consent/VerbalConsentForm';
import { TravelEditor } from '../reports/TravelEditor';
import { ConsultationLkt } from '../lkt/ConsultationLkt';
import { patientEidName, useAuthProviders } from '../auth/useAuthProviders';
import { clashNames, localInstant, DURATION_MAX, DURATION_MIN } from './validation';
import { useSession } from '../../api/session';
import './consultations.css';

type Notice = { kind: 'success' | 'error'; text: string } | null;

export function ConsultationPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const location = useLocation();
  const flash = (location.state as { flash?: string } | null)?.flash;
  const q = useConsultation(id);
  const navigate = useNavigate();
  const { account } = useSession();
  const [notice, setNotice] = useState<Notice>(
    flash === 'booked' ? { kind: 'success', text: t('booking.booked') } : null,
  );

  const c = q.data?.consultation;
  usePageTitle(c ? (c.title ?? t(`kinds.${c.kind}`)) : t('app.loading'));

  if (q.loading && !q.data) return <p role="status">{t('app.loading')}</p>;
  if (!c || !q.data) {
    return (
      <div className="alert alert--error" role="alert">
        <h1>{t(errorMessageKey(q.error))}</h1>
        <Link to="/">{t('consultation.back')}</Link>
      </div>
    );
  }
  const consents = q.data.consents;
  const active = c.status === 'booked' || c.status === 'in_progress';
  const organiser = c.participants.find((p) => p.accountId === c.organiserId);
  // The organiser and the delegates they named manage the booking and everyone's links
  // (the server decides; this only hides what it would refuse). Policy stream edit.
  const manages =
    account !== null &&
    (account.id === c.organiserId ||
      c.participants.some((p) => p.accountId === account.id && p.delegate === true));

  return (
    <>
      <p>
        <Link to="/">{t('consultation.back')}</Link>
      </p>
      <h1>{c.title ?? t(`kinds.${c.kind}`)}</h1>
      <div aria-live="polite" className="page-notice">
        {notice && (
          <div
            className={`alert alert--${notice.kind}`}
            role={notice.kind === 'error' ? 'alert' : 'status'}
          >
            <span>{notice.text}</span>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => setNotice(null)}
            >
              {t('app.close')}
            </button>
          </div>
        )}
      </div>

      <dl className="details">
        <dt>{t('consultation.when')}</dt>
        <dd className="consultation__when">
          {formatDateTime(c.startsAt)}–{formatTime(c.endsAt)}
        </dd>
        <dt>{t('consultation.kind')}</dt>
        <dd>{t(`kinds.${c.kind}`)}</dd>
        <dt>{t('consultation.status')}</dt>
        <dd>
          <span className={`status status--${c.status}`}>{t(`status.${c.status}`)}</span>
        </dd>
        {organiser && (
          <>
            <dt>{t('consultation.organiser')}</dt>
            <dd>{organiser.name}</dd>
          </>
        )}
        <dt>{t('booking.docOrg')}</dt>
        <dd>{c.documentingOrganisation}</dd>
        <dt>{t('consultation.consentSharing')}</dt>
        <dd>{sharingText(consents, t)}</dd>
      </dl>

      {c.status !== 'cancelled' && (
        <div className="page-actions">
          {active && (
            <button
              type="button"
              className="button button--large"
              onClick={() => void navigate(`/consultations/${c.id}/join`)}
            >
              {t('consultation.joinRoom')}
            </button>
          )}
          {/* Who took part, the story, the plan and the next meeting: printable. */}
          <Link className="button button--secondary" to={`/summary/${c.id}`}>
            {t('consultation.summary')}
          </Link>
        </div>
      )}

      <ParticipantsTable
        consultation={c}
        consents={consents}
        inviteUrl={q.inviteUrl}
        downloadIcs={q.downloadIcs}
        onNotice={setNotice}
        manages={manages}
        selfAccountId={account?.id ?? null}
        // Only the organiser names co-organisers, while the booking can still change.
        {...(active && account?.id === c.organiserId ? { onSetDelegate: q.setDelegate } : {})}
      />

      {active && <VerbalConsentForm consultation={c} onSaved={q.reload} />}

      {/* LKT (lkt-data): agenda, the patient's story, care team and agreed plan. */}
      <ConsultationLkt consultation={c} />

      {active && manages && (
        <>
          <TravelEditor consultation={c} />
          <RescheduleForm consultation={c} onReschedule={q.reschedule} onNotice={setNotice} />
          <CancelPanel onCancel={q.cancel} onNotice={setNotice} />
        </>
      )}
    </>
  );
}

/** Shows the choice at once and holds it while it is saved; a refusal puts it back. */
function DelegateToggle(props: {
  participant: Participant;
  onChange: (p: Participant, delegate: boolean) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [saving, setSaving] = useState<boolean | null>(null);
  const p = props.participant;
  return (
    <label className="checkbox delegate-toggle">
      <input
        type="checkbox"
        checked={saving ?? p.delegate === true}
        aria-label={t('consultation.delegateFor', { name: p.name })}
        aria-busy={saving !== null}
        onChange={(e) => {
          if (saving !== null) return;
          const delegate = e.target.checked;
          setSaving(delegate);
          void props.onChange(p, delegate).finally(() => setSaving(null));
        }}
      />
      {t('consultation.delegate')}
    </label>
  );
}

type T = ReturnType<typeof useTranslation>['t'];

function sharingText(consents: readonly Consent[], t: T) {
  const current = consents.find((c) => !c.withdrawnAt && !c.supersededAt);
  if (!current) return t('consultation.sharingUnknown');
  return current.shareHealthInfo ? t('consultation.sharingYes') : t('consultation.sharingNo');
}

function ConsentCell(props: {
  participant: Participant;
  consultation: Consultation;
  consents: readonly Consent[];
}) {
  const { t } = useTranslation();
  const state = consentStateFor(props.participant, props.consultation, props.consents);
  switch (state.kind) {
    case 'not_needed':
      return <>{t('consultation.consentNotNeeded')}</>;
    case 'missing':
      return <span className="consent--missing">{t('consultation.consentMissing')}</span>;
    case 'withdrawn':
      return (
        <span className="consent--withdrawn">
          {t('consultation.consentWithdrawn', {
            date: formatShortDateTime(state.consent.withdrawnAt ?? ''),
          })}
        </span>
      );
    case 'given': {
      const by = props.consultation.participants.find(
        (p) => p.id === state.consent.recordedByParticipantId,
      );
      return (
        <span className="consent--given">
          {t('consultation.consentGiven', { date: formatShortDateTime(state.consent.givenAt) })}
          {state.consent.method === 'verbal' && by && (
            <> ({t('consultation.consentVerbal', { by: by.name })})</>
          )}
        </span>
      );
    }
  }
}

/** The patient first, then next of kin, then everyone else as booked. */
export function patientFirst(ps: readonly Participant[]): Participant[] {
  const rank = (p: Participant) => (p.role === 'patient' ? 0 : p.role === 'next_of_kin' ? 1 : 2);
  return [...ps].sort((a, b) => rank(a) - rank(b));
}

/** Whether the element is wider than its box (large text, a narrow window). */
function useOverflowing(ref: RefObject<HTMLElement | null>): boolean {
  const [overflowing, setOverflowing] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const check = () => setOverflowing(el.scrollWidth > el.clientWidth + 1);
    check();
    const observer = new ResizeObserver(check);
    observer.observe(el);
    if (el.firstElementChild) observer.observe(el.firstElementChild);
    return () => observer.disconnect();
  }, [ref]);
  return overflowing;
}

function ParticipantsTable(props: {
  consultation: Consultation;
  consents: readonly Consent[];
  inviteUrl: (participantId: string) => Promise<string>;
  downloadIcs: (p: Participant) => Promise<void>;
  onNotice: (n: Notice) => void;
  /** Organiser or delegate: everyone's links; otherwise only one's own calendar entry. */
  manages: boolean;
  selfAccountId: string | null;
  /** The organiser's control: name a staff participant (with an account) co-organiser. */
  onSetDelegate?: (participantId: string, delegate: boolean) => Promise<void>;
}) {
  const { t } = useTranslation();
  const eidName = patientEidName(useAuthProviders());
  const anyStrongId = props.consultation.participants.some((p) => p.strongIdentification);
  const [fallback, setFallback] = useState<{ name: string; url: string } | null>(null);
  const fallbackRef = useRef<HTMLInputElement>(null);
  const wrapRef = useRef<HTMLDivElement>(null);
  const overflowing = useOverflowing(wrapRef);

  const copy = async (p: Participant) => {
    let url: string;
    try {
      url = await props.inviteUrl(p.id);
    } catch (e) {
      return props.onNotice({ kind: 'error', text: t(errorMessageKey(e)) });
    }
    try {
      await navigator.clipboard.writeText(url);
      setFallback(null);
      props.onNotice({ kind: 'success', text: t('consultation.linkCopied', { name: p.name }) });
    } catch {
      // No clipboard permission (or http): show the link to copy by hand.
      setFallback({ name: p.name, url });
      requestAnimationFrame(() => fallbackRef.current?.select());
    }
  };

  const ics = async (p: Participant) => {
    try {
      await props.downloadIcs(p);
    } catch (e) {
      props.onNotice({ kind: 'error', text: t(errorMessageKey(e)) });
    }
  };

  const setDelegate = async (p: Participant, delegate: boolean) => {
    try {
      await props.onSetDelegate?.(p.id, delegate);
      props.onNotice({
        kind: 'success',
        text: t(delegate ? 'consultation.delegateNamed' : 'consultation.delegateRemoved', {
          name: p.name,
        }),
      });
    } catch (e) {
      props.onNotice({ kind: 'error', text: t(errorMessageKey(e)) });
    }
  };
  // Staff booked with their own account can share the organiser's work; the organiser is it.
  const canBeDelegate = (p: Participant) =>
    isStaffRole(p.role) && p.accountId !== null && p.accountId !== props.consultation.organiserId;

  return (
    <section aria-labelledby="participants-heading">
      <h2 id="participants-heading">{t('consultation.participants')}</h2>
      {anyStrongId && <p>{t('consultation.strongIdNote', { name: eidName })}</p>}
      {props.onSetDelegate && props.consultation.participants.some(canBeDelegate) && (
        <p>{t('consultation.delegateHint')}</p>
      )}
      {fallback && (
        <div className="alert alert--info invite-fallback">
          <label htmlFor="invite-fallback">{t('consultation.copyFailed')}</label>
          <input id="invite-fallback" ref={fallbackRef} readOnly value={fallback.url} />
        </div>
      )}
      {overflowing && (
        <p className="table-wrap__cue" id="participants-scroll-cue">
          {t('consultation.scrollCue')}
        </p>
      )}
      <div
        className={`table-wrap${overflowing ? ' table-wrap--overflowing' : ''}`}
        ref={wrapRef}
        // Focusable, so keyboard users can scroll it too (only when it scrolls).
        {...(overflowing
          ? {
              tabIndex: 0,
              role: 'region',
              'aria-labelledby': 'participants-heading',
              'aria-describedby': 'participants-scroll-cue',
            }
          : {})}
      >
        <table className="participants-table">
          <thead>
            <tr>
              <th scope="col">{t('consultation.name')}</th>
              <th scope="col">{t('consultation.role')}</th>
              <th scope="col">{t('consultation.organisation')}</th>
              <th scope="col">{t('consultation.joinFrom')}</th>
              <th scope="col">{t('consultation.consent')}</th>
              <th scope="col">{t('consultation.invite')}</th>
            </tr>
          </thead>
          <tbody>
            {patientFirst(props.consultation.participants).map((p) => (
              <tr key={p.id} data-testid="participant-row">
                <th scope="row">{p.name}</th>
                <td>
                  {t(`roles.${p.role}`)}
                  {p.strongIdentification && (
                    <span className="eid-badge">
                      {t('consultation.strongId', { name: eidName })}
                    </span>
                  )}
                  {canBeDelegate(p) &&
                    (props.onSetDelegate ? (
                      <DelegateToggle participant={p} onChange={setDelegate} />
                    ) : (
                      p.delegate && (
                        <span className="delegate-badge">{t('consultation.delegate')}</span>
                      )
                    ))}
                </td>
                <td>{p.organisation ?? '–'}</td>
                <td>{t(`joinFrom.${p.joinsFrom}`)}</td>
                <td>
                  <ConsentCell
                    participant={p}
                    consultation={props.consultation}
                    consents={props.consents}
                  />
                </td>
                <td>
                  {props.manages && (
                    <button
                      type="button"
                      className="button button--secondary"
                      onClick={() => void copy(p)}
                    >
                      {t('consultation.copyLink', { name: p.name })}
                    </button>
                  )}
                  {(props.manages || p.accountId === props.selfAccountId) && (
                    <button
                      type="button"
                      className="button button--secondary"
                      onClick={() => void ics(p)}
                    >
                      {t('consultation.downloadIcs', { name: p.name })}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function toLocalInputs(iso: string) {
  const d = new Date(iso);
  return { date: toDateInput(d), time: toTimeInput(d) };
}

function RescheduleForm(props: {
  consultation: Consultation;
  onReschedule: (start: Date, end: Date) => Promise<void>;
  onNotice: (n: Notice) => void;
}) {
  const { t } = useTranslation();
  const initial = toLocalInputs(props.consultation.startsAt);
  const minutes = Math.round(
    (Date.parse(props.consultation.endsAt) - Date.parse(props.consultation.startsAt)) / 60_000,
  );
  const [date, setDate] = useState(initial.date);
  const [time, setTime] = useState(initial.time);
  const [duration, setDuration] = useState(String(minutes));
  const [error, setError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    const start = localInstant(date, time);
    const d = Number(duration);
    if (!start) return setError(t('validation.invalidDate'));
    if (start.getTime() < Date.now()) return setError(t('validation.inPast'));
    if (!Number.isInteger(d) || d < DURATION_MIN || d > DURATION_MAX) {
      return setError(t('validation.durationRange', { min: DURATION_MIN, max: DURATION_MAX }));
    }
    setError(undefined);
    setBusy(true);
    try {
      await props.onReschedule(start, new Date(start.getTime() + d * 60_000));
      props.onNotice({ kind: 'success', text: t('consultation.rescheduled') });
    } catch (err) {
      const names = isApiError(err) && err.code === 'conflict' ? clashNames(err.details) : [];
      props.onNotice({
        kind: 'error',
        text:
          names.length > 0
            ? t('booking.conflictWho', { names: names.join(', ') })
            : isApiError(err) && err.code === 'conflict'
              ? t('booking.conflict')
              : t(errorMessageKey(err)),
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-labelledby="reschedule-heading" className="panel">
      <h2 id="reschedule-heading">{t('consultation.reschedule')}</h2>
      <form onSubmit={(e) => void onSubmit(e)} noValidate>
        <div className="booking__row">
          <DateField
            id="reschedule.date"
            label={t('booking.date')}
            value={date}
            onValue={setDate}
            error={error}
          />
          <TimeField
            id="reschedule.time"
            label={t('booking.time')}
            value={time}
            onValue={setTime}
          />
          <TextField
            id="reschedule.duration"
            type="number"
            inputMode="numeric"
            label={t('booking.duration')}
            value={duration}
            onValue={setDuration}
          />
        </div>
        <button type="submit" className="button" aria-disabled={busy}>
          {t('consultation.saveReschedule')}
        </button>
      </form>
    </section>
  );
}

function CancelPanel(props: { onCancel: () => Promise<void>; onNotice: (n: Notice) => void }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const yesRef = useRef<HTMLButtonElement>(null);
  const openRef = useRef<HTMLButtonElement>(null);

  const confirm = async () => {
    try {
      await props.onCancel();
      setConfirming(false);
      props.onNotice({ kind: 'success', text: t('consultation.cancelled') });
    } catch (e) {
      props.onNotice({ kind: 'error', text: t(errorMessageKey(e)) });
    }
  };

  return (
    <section aria-labelledby="cancel-heading" className="panel">
      <h2 id="cancel-heading">{t('consultation.cancelConsultation')}</h2>
      {!confirming ? (
        <button
          ref={openRef}
          type="button"
          className="button button--danger"
          onClick={() => {
            setConfirming(true);
            requestAnimationFrame(() => yesRef.current?.focus());
          }}
        >
          {t('consultation.cancelConsultation')}
        </button>
      ) : (
        <div className="alert alert--warning" role="group" aria-labelledby="cancel-confirm-text">
          <p id="cancel-confirm-text">{t('consultation.confirmCancel')}</p>
          <div className="page-actions">
            <button
              ref={yesRef}
              type="button"
              className="button button--danger"
              onClick={() => void confirm()}
            >
              {t('consultation.confirmCancelYes')}
            </button>
            <button
              type="button"
              className="button button--secondary"
              onClick={() => {
                setConfirming(false);
                requestAnimationFrame(() => openRef.current?.focus());
              }}
            >
              {t('consultation.confirmCancelNo')}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
