import { useEffect } from 'react';
import { agendaTemplate, type AgendaDraft, type ConsultationKind } from '@samkons/shared';
import { AgendaEditor } from './AgendaEditor';
import { useLktT } from './useLkt';
import './lkt.css';

/**
 * The agenda chosen at booking (the booking form, owned by the policy stream, renders this
 * as its own fieldset): the template of the consultation kind in the user's language,
 * editable before booking. A changed kind starts again from its template. Private parts
 * name the organiser until the consultation page names others.
 */
export function BookingAgenda({
  kind,
  onChange,
}: {
  kind: ConsultationKind;
  onChange: (draft: AgendaDraft) => void;
}) {
  const { t, lang } = useLktT();
  const template = agendaTemplate(kind, lang);
  useEffect(() => onChange(agendaTemplate(kind, lang)), [kind, lang, onChange]);
  return (
    <fieldset className="lkt-booking-agenda" aria-describedby="lkt-booking-agenda-hint">
      <legend>{t('agendaTitle')}</legend>
      <p id="lkt-booking-agenda-hint">{t('bookingAgendaHint')}</p>
      <AgendaEditor
        key={`${kind}-${lang}`}
        initial={template.parts}
        onChange={(parts) => onChange({ template: 'custom', parts })}
      />
    </fieldset>
  );
}
