import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Consultation, Participant } from '@samkons/shared';
import { usePageTitle } from '../../app/usePageTitle';
import { errorMessageKey } from '../../api/errors';
import { consentHolders, guardianDecides, needingCover } from './model';
import type { ConsentApi } from './useConsent';
import './consent.css';

/**
 * The consent step before the waiting room: the patient (or the guardian of a patient under
 * 16) sees who takes part and what is shared across care levels, and says yes or no. A
 * consent given updates `consent`, which moves the caller's gate on.
 */
export function ConsentStep(props: {
  consent: ConsentApi;
  consultation: Consultation;
  participantId: string;
}) {
  const { t } = useTranslation();
  usePageTitle(t('consent.title'));
  const { consultation } = props;
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [refused, setRefused] = useState(false);

  useEffect(() => headingRef.current?.focus(), [refused]);

  if (refused) {
    return (
      <section className="consent" aria-labelledby="consent-heading">
        <h1 id="consent-heading" ref={headingRef} tabIndex={-1}>
          {t('consent.refusedTitle')}
        </h1>
        <p>{t('consent.refusedBody')}</p>
        <button type="button" className="button" onClick={() => setRefused(false)}>
          {t('consent.changeMind')}
        </button>
      </section>
    );
  }

  return (
    <ConsentForm
      consent={props.consent}
      participantId={props.participantId}
      participants={consultation.participants}
      guardian={guardianDecides(consultation)}
      cover={needingCover(consultation)}
      holders={consentHolders(consultation)}
      onRefused={() => setRefused(true)}
      headingRef={headingRef}
    />
  );
}

function ConsentForm(props: {
  consent: ConsentApi;
  participantId: string;
  participants: Participant[];
  cover: Participant[];
  holders: Participant[];
  guardian: boolean;
  onRefused: () => void;
  headingRef: React.RefObject<HTMLHeadingElement | null>;
}) {
  const { t } = useTranslation();
  const [covered, setCovered] = useState<Set<string>>(() => new Set(props.cover.map((p) => p.id)));
  const [share, setShare] = useState(true);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const patient = props.participants.find((p) => p.role === 'patient');
  const me = props.participants.find((p) => p.id === props.participantId);

  const toggle = (id: string, on: boolean) =>
    setCovered((prev) => {
      const next = new Set(prev);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  // On failure the form stays, with the error, and the patient can try again.
  const attempt = async (action: () => Promise<unknown>) => {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    try {
      await action();
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };
  // The refusal is recorded before the refused screen shows, so the hosts learn of it.
  const refuse = () =>
    attempt(async () => {
      await props.consent.refuse();
      props.onRefused();
    });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    return attempt(() => props.consent.give([...covered], share));
  };

  return (
    <form className="consent" aria-labelledby="consent-heading" onSubmit={(e) => void submit(e)}>
      <h1 id="consent-heading" ref={props.headingRef} tabIndex={-1}>
        {t('consent.title')}
      </h1>
      <p>{t('consent.intro')}</p>
      {props.guardian && patient && (
        <p className="alert alert--info">{t('consent.guardianFor', { name: patient.name })}</p>
      )}

      <fieldset className="consent__who">
        <legend>{t('consent.whoLegend')}</legend>
        <p id="consent-who-hint">{t('consent.whoHint')}</p>
        <ul className="consent__list">
          {props.participants
            .filter((p) => p.role === 'patient' || props.holders.some((h) => h.id === p.id))
            .map((p) => (
              <li key={p.id} className="consent__person consent__person--fixed">
                <PersonLabel person={p} self={p.id === me?.id} />
              </li>
            ))}
          {props.cover.map((p) => (
            <li key={p.id} className="consent__person">
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={covered.has(p.id)}
                  onChange={(e) => toggle(p.id, e.target.checked)}
                  aria-describedby="consent-who-hint"
                />
                <PersonLabel person={p} self={false} />
              </label>
            </li>
          ))}
        </ul>
      </fieldset>

      <fieldset className="consent__share">
        <legend>{t('consent.shareLegend')}</legend>
        <p id="consent-share-hint">{t('consent.shareHint')}</p>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={share}
            onChange={(e) => setShare(e.target.checked)}
            aria-describedby="consent-share-hint"
          />
          {t('consent.shareLabel')}
        </label>
      </fieldset>

      <p>{t('consent.withdrawHint')}</p>
      <div aria-live="polite">
        {failure !== null && (
          <div className="alert alert--error" role="alert">
            {t(errorMessageKey(failure))}
          </div>
        )}
      </div>
      <div className="page-actions">
        <button type="submit" className="button button--large" aria-disabled={busy}>
          {busy ? t('consent.saving') : t('consent.give')}
        </button>
        <button
          type="button"
          className="button button--secondary"
          aria-disabled={busy}
          onClick={() => void refuse()}
        >
          {t('consent.refuse')}
        </button>
      </div>
    </form>
  );
}

function PersonLabel({ person, self }: { person: Participant; self: boolean }) {
  const { t } = useTranslation();
  return (
    <span className="consent__label">
      <strong>{self ? t('consent.you', { name: person.name }) : person.name}</strong>
      <span>
        {t(`roles.${person.role}`)}
        {person.organisation ? `, ${person.organisation}` : ''}
      </span>
    </span>
  );
}
