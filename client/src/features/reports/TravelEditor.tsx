import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import {
  TRAVEL_MODES,
  type Consultation,
  type Participant,
  type TravelMode,
  type TravelPlaces,
  type TravelPlan,
  type TravelPlanInput,
} from '@samkons/shared';
import { FieldShell, SelectField, TextField } from '../../app/form';
import { errorMessageKey } from '../../api/errors';
import './travel.css';
import { useFeatureT, type FeatureT } from './featureI18n';
import { reportsMessages, type ReportsMessages } from './i18n';
import { formatNumber } from './format';
import {
  canAccompany,
  initialTravelForm,
  placeChoice,
  toTravelPlan,
  type OriginChoice,
  type TravelFormState,
} from './travelForm';
import { useTravel } from './useTravel';

type Status =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; text: string };

/**
 * "Travel avoided" on the consultation page: per participant, where the trip they did not
 * make would have started (a place from the table or km entered), the mode, and whether
 * staff would have accompanied the patient. Saved per participant (PUT .../travel).
 */
export function TravelEditor(props: { consultation: Consultation }) {
  const { t, lang } = useFeatureT('reports', reportsMessages);
  const { places, plans, save } = useTravel(props.consultation.id);
  // The rows take their starting values once, so they wait for the saved plans; when those
  // cannot be loaded, the rows start from the booking.
  const plansReady = !plans.loading || plans.data !== undefined;
  return (
    <section aria-labelledby="travel-heading" className="panel travel">
      <h2 id="travel-heading">{t('travelTitle')}</h2>
      <p className="travel__intro">{t('travelIntro')}</p>
      {places.error !== undefined && <p className="alert alert--info">{t('travelPlacesFailed')}</p>}
      {plans.error !== undefined && <p className="alert alert--info">{t('travelPlansFailed')}</p>}
      {!plansReady && <p role="status">{t('travelPlansLoading')}</p>}
      {plansReady &&
        props.consultation.participants.map((p) => (
          <TravelRow
            key={p.id}
            participant={p}
            saved={plans.data?.plans[p.id]}
            places={places.data}
            onSave={save}
            t={t}
            formatKm={(n) => formatNumber(n, lang)}
          />
        ))}
    </section>
  );
}

function TravelRow(props: {
  participant: Participant;
  /** The plan saved earlier, if any: the form starts from it instead of the booking. */
  saved: TravelPlan | undefined;
  places: TravelPlaces | undefined;
  onSave: (participantId: string, plan: TravelPlanInput) => Promise<void>;
  t: FeatureT<ReportsMessages>;
  formatKm: (n: number) => string;
}) {
  const { t, participant: p } = props;
  const { t: appT } = useTranslation();
  const [form, setForm] = useState<TravelFormState>(() => initialTravelForm(p, props.saved));
  const [status, setStatus] = useState<Status>({ kind: 'idle' });
  const [kmError, setKmError] = useState<string | undefined>();
  const accompany = canAccompany(p);
  const id = `travel.${p.id}`;

  const update = (patch: Partial<TravelFormState>) => {
    setForm((f) => ({ ...f, ...patch }));
    setStatus({ kind: 'idle' });
  };

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (status.kind === 'saving') return;
    const result = toTravelPlan(form, accompany);
    if (!result.ok) {
      const text = t(result.error === 'kmInvalid' ? 'travelKmInvalid' : 'travelPlaceMissing');
      setKmError(result.error === 'kmInvalid' ? text : undefined);
      setStatus({ kind: 'error', text });
      return;
    }
    setKmError(undefined);
    setStatus({ kind: 'saving' });
    try {
      await props.onSave(p.id, result.plan);
      setStatus({ kind: 'saved' });
    } catch (err) {
      setStatus({
        kind: 'error',
        text: t('travelSaveFailed', { reason: appT(errorMessageKey(err)) }),
      });
    }
  };

  const dest = props.places?.defaultDestination;
  return (
    <form className="travel__row" onSubmit={(e) => void onSubmit(e)} noValidate>
      <fieldset>
        <legend>
          {p.name} <span className="travel__role">({appT(`roles.${p.role}`)})</span>
        </legend>
        <div className="travel__fields">
          <FieldShell id={`${id}.origin`} label={t('travelOrigin')}>
            {(aria) => (
              <select
                {...aria}
                value={form.origin}
                onChange={(e) => update({ origin: e.target.value as OriginChoice })}
              >
                <option value="none">{t('travelOriginNone')}</option>
                <option value="km">{t('travelOriginKm')}</option>
                {props.places && props.places.places.length > 0 && (
                  <optgroup label={t('travelPlacesGroup')}>
                    {props.places.places.map((place) => {
                      const km = dest === undefined ? undefined : place.roadKm[dest];
                      return (
                        <option key={place.id} value={placeChoice(place.id)}>
                          {km === undefined
                            ? place.name
                            : t('travelPlaceOption', {
                                name: place.name,
                                municipality: place.municipality,
                                km: props.formatKm(km),
                              })}
                        </option>
                      );
                    })}
                  </optgroup>
                )}
              </select>
            )}
          </FieldShell>
          {form.origin === 'km' && (
            <TextField
              id={`${id}.km`}
              label={t('travelKm')}
              inputMode="decimal"
              autoComplete="off"
              size={6}
              value={form.km}
              onValue={(km) => update({ km })}
              error={kmError}
            />
          )}
          <SelectField
            id={`${id}.mode`}
            label={t('travelMode')}
            value={form.mode}
            onValue={(mode) => update({ mode: mode as TravelMode })}
            options={TRAVEL_MODES.map((m) => ({ value: m, label: t(`mode_${m}`) }))}
          />
          {accompany && (
            <label className="checkbox travel__accompanying">
              <input
                type="checkbox"
                checked={form.accompanying}
                onChange={(e) => update({ accompanying: e.target.checked })}
              />
              {t('travelAccompanying')}
            </label>
          )}
          <button
            type="submit"
            className="button button--secondary travel__save"
            aria-disabled={status.kind === 'saving'}
          >
            {t('travelSave', { name: p.name })}
          </button>
        </div>
        <p className="travel__status" role="status" aria-live="polite">
          {status.kind === 'saving' && t('travelSaving')}
          {status.kind === 'saved' && <span className="travel__ok">{t('travelSaved')}</span>}
          {status.kind === 'error' && <span className="field__error">{status.text}</span>}
        </p>
      </fieldset>
    </form>
  );
}
