import { useState } from 'react';
import type { Agenda, Consultation } from '@samkons/shared';
import { useQuery } from '../../api/useQuery';
import { useSession } from '../../api/session';
import { AgendaEditor } from './AgendaEditor';
import { LktSection } from './LktSection';
import { useLktApi, useLktT } from './useLkt';

/** The agenda of a consultation; the organiser edits it while the consultation is live. */
export function AgendaSection({ consultation }: { consultation: Consultation }) {
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
    <LktSection id="lkt-agenda" title={t('agendaTitle')} intro={t('agendaIntro')} query={q}>
      <div aria-live="polite">
        {notice && (
          <p className="alert alert--success" role="status">
            {notice}
          </p>
        )}
      </div>
      {q.data && !editing && <AgendaParts agenda={q.data} consultation={consultation} />}
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
    </LktSection>
  );
}

function AgendaParts({
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
