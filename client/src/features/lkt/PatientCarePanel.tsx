import type { PatientCarePatient } from '@samkons/shared';
import { useQuery } from '../../api/useQuery';
import { formatDateTime } from '../../i18n/format';
import { CareTeamList } from './CareTeamList';
import { PlanList } from './PlanList';
import { StoryForm } from './StoryForm';
import { useLktApi, useLktT } from './useLkt';
import './lkt.css';
import { LoadFailed } from '../../app/LoadFailed';

/**
 * The patient entry's "Min plan og mitt team": for each patient the person speaks for
 * (themself, a child they are guardian of), the agreed plan (own items can be marked done),
 * the care team and "min historie", which they write and share as they choose.
 */
export function PatientCarePanel({ patientToken }: { patientToken: string }) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery((signal) => api.patientCare(patientToken, signal), [api, patientToken]);
  return (
    <section aria-labelledby="lkt-care-h" className="lkt lkt-patient">
      <h2 id="lkt-care-h">{t('patientCareTitle')}</h2>
      {q.loading && !q.data && <p role="status">{t('loading')}</p>}
      {q.error !== undefined && (
        <LoadFailed message={t('error')} retry={t('retry')} onRetry={q.reload} />
      )}
      {q.data && q.data.patients.length === 0 && (
        <p className="lkt-empty">{t('patientCareEmpty')}</p>
      )}
      {q.data?.patients.map((p) => (
        <PatientCare
          key={p.patientRecordId}
          patient={p}
          patientToken={patientToken}
          onChanged={q.reload}
          many={q.data!.patients.length > 1}
        />
      ))}
    </section>
  );
}

function PatientCare({
  patient: p,
  patientToken,
  onChanged,
  many,
}: {
  patient: PatientCarePatient;
  patientToken: string;
  onChanged: () => void;
  many: boolean;
}) {
  const { t } = useLktT();
  const api = useLktApi();
  const id = p.patientRecordId;
  // One's own record alone needs no name over it: the section's heading says whose it is.
  const named = many || p.relation === 'guardian';
  const Sub = named ? 'h4' : 'h3';
  return (
    <article
      className="card lkt-patient__card"
      aria-labelledby={named ? `lkt-for-${id}` : 'lkt-care-h'}
    >
      {named && <h3 id={`lkt-for-${id}`}>{t('patientCareFor', { name: p.patientName })}</h3>}
      {p.nextConsultation && (
        <p>
          {t('nextMeeting', {
            title: p.nextConsultation.title ?? '',
            date: formatDateTime(p.nextConsultation.startsAt),
          })}
        </p>
      )}
      <Sub>{t('planTitle')}</Sub>
      {p.plan.length === 0 ? (
        <p className="lkt-empty">{t('planEmpty')}</p>
      ) : (
        <PlanList
          items={p.plan}
          actions={{
            ownItemIds: p.ownItemIds,
            onProgress: async (item, body) => {
              await api.patientProgress(patientToken, item.id, body);
              onChanged();
            },
          }}
        />
      )}
      <Sub>{t('careTeamTitle')}</Sub>
      <CareTeamList members={p.careTeam} />
      <Sub>{t('storyTitle')}</Sub>
      <p className="lkt-intro">{t('storyIntro')}</p>
      <StoryForm
        view={p.story}
        idPrefix={`story-${id}`}
        save={(body) => api.patientSaveStory(patientToken, id, body)}
      />
    </article>
  );
}
