import type { Consultation } from '@samkons/shared';
import { useQuery } from '../../api/useQuery';
import { AgendaSection } from './AgendaSection';
import { CareTeamSection } from './CareTeamSection';
import { LktSection } from './LktSection';
import { PlanSection } from './PlanSection';
import { StoryText } from './StoryForm';
import { useLktApi, useLktT } from './useLkt';
import './lkt.css';

/**
 * The LKT sections of the consultation page (staff): agenda, the patient's story, the care
 * team and the agreed plan. Each shows its own load error, so one failing does not hide the
 * others. The care team is loaded once: a member added there is at once an owner on offer
 * in the plan.
 */
export function ConsultationLkt({ consultation }: { consultation: Consultation }) {
  const api = useLktApi();
  const hasPatient = consultation.participants.some((p) => p.role === 'patient');
  const team = useQuery(
    (signal) => (hasPatient ? api.careTeam(consultation.id, signal) : Promise.resolve(undefined)),
    [api, consultation.id, hasPatient],
  );
  return (
    <div className="lkt">
      <AgendaSection consultation={consultation} />
      {hasPatient && (
        <>
          <StorySection consultationId={consultation.id} />
          <CareTeamSection consultation={consultation} team={team} />
          <PlanSection consultation={consultation} team={team} />
        </>
      )}
    </div>
  );
}

function StorySection({ consultationId }: { consultationId: string }) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery(
    (signal) => api.story(consultationId, undefined, signal),
    [api, consultationId],
  );
  return (
    <LktSection id="lkt-story" title={t('storyTitle')} query={q}>
      {q.data && <StoryText view={q.data} />}
    </LktSection>
  );
}
