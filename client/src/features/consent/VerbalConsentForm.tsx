import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Consultation } from '@samkons/shared';
import { useFeatureApi } from '../../api/session';
import { consentEndpoints } from './api';
import { consentHolders, needingCover } from './model';
import { NoticeRegion, useNoticeAction } from './notice';
import './consent.css';

/**
 * A clinician taking part records the answer the patient (or guardian) gave out loud, e.g.
 * on the phone or in the room: a consent, or a refusal. The server records the clinician as
 * the one who wrote it down.
 */
export function VerbalConsentForm(props: { consultation: Consultation; onSaved: () => void }) {
  const { t } = useTranslation();
  const api = useFeatureApi(consentEndpoints);
  const holders = consentHolders(props.consultation);
  const cover = needingCover(props.consultation);
  const [givenBy, setGivenBy] = useState(holders[0]?.id ?? '');
  const [covered, setCovered] = useState<Set<string>>(() => new Set(cover.map((p) => p.id)));
  const [share, setShare] = useState(true);
  const { busy, notice, run } = useNoticeAction();
  if (holders.length === 0) return null;

  /** Records one answer; the notice says what was recorded or why it was not. */
  const record = async (save: () => Promise<unknown>, savedText: string) => {
    if (givenBy && (await run(save, savedText))) props.onSaved();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    return record(
      () =>
        api.giveConsent(props.consultation.id, {
          method: 'verbal',
          givenByParticipantId: givenBy,
          coveredParticipantIds: [...covered],
          shareHealthInfo: share,
        }),
      t('consent.verbalSaved'),
    );
  };

  const refuse = () =>
    record(
      () =>
        api.refuseConsent(props.consultation.id, {
          method: 'verbal',
          refusedByParticipantId: givenBy,
        }),
      t('consent.verbalRefused'),
    );

  return (
    <section aria-labelledby="verbal-heading" className="panel">
      <h2 id="verbal-heading">{t('consent.verbalTitle')}</h2>
      <p>{t('consent.verbalHint')}</p>
      <form onSubmit={(e) => void submit(e)} className="consent__verbal">
        <div className="field">
          <label htmlFor="verbal-given-by">{t('consent.verbalGivenBy')}</label>
          <select id="verbal-given-by" value={givenBy} onChange={(e) => setGivenBy(e.target.value)}>
            {holders.map((h) => (
              <option key={h.id} value={h.id}>
                {h.name}, {t(`roles.${h.role}`)}
              </option>
            ))}
          </select>
        </div>
        <fieldset>
          <legend>{t('consent.whoLegend')}</legend>
          {cover.map((p) => (
            <label key={p.id} className="checkbox">
              <input
                type="checkbox"
                checked={covered.has(p.id)}
                onChange={(e) =>
                  setCovered((prev) => {
                    const next = new Set(prev);
                    if (e.target.checked) next.add(p.id);
                    else next.delete(p.id);
                    return next;
                  })
                }
              />
              {p.name}, {t(`roles.${p.role}`)}
              {p.organisation ? `, ${p.organisation}` : ''}
            </label>
          ))}
        </fieldset>
        <label className="checkbox">
          <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} />
          {t('consent.shareLabel')}
        </label>
        <NoticeRegion notice={notice} />
        <div className="consent__verbal-actions">
          <button type="submit" className="button" aria-disabled={busy}>
            {t('consent.verbalSave')}
          </button>
          <button
            type="button"
            className="button button--secondary"
            aria-disabled={busy}
            onClick={() => void refuse()}
          >
            {t('consent.verbalRefuse')}
          </button>
        </div>
      </form>
    </section>
  );
}
