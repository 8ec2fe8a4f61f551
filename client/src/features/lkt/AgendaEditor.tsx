import { useState, type FormEvent } from 'react';
import {
  AgendaAudience,
  privatePartRoles,
  type AgendaPartInput,
  type Consultation,
} from '@samkons/shared';
import { SelectField, TextField } from '../../app/form';
import { useLktT } from './useLkt';

/**
 * Edits an ordered list of parts: title, audience, optional, plan part, who is in a private
 * part (participants of the consultation; none at booking, where the organiser is named).
 */
export function AgendaEditor({
  consultation,
  initial,
  onSave,
  onCancel,
  saveLabel,
  onChange,
}: {
  consultation?: Consultation;
  initial: readonly AgendaPartInput[];
  onSave?: (parts: AgendaPartInput[]) => Promise<void>;
  onCancel?: () => void;
  saveLabel?: string;
  /** Booking: every change goes up at once (no save button). */
  onChange?: (parts: AgendaPartInput[]) => void;
}) {
  const { t } = useLktT();
  const [parts, setParts] = useState<AgendaPartInput[]>(() => initial.map((p) => ({ ...p })));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const update = (next: AgendaPartInput[]) => {
    setParts(next);
    onChange?.(next);
  };
  const patch = (i: number, p: Partial<AgendaPartInput>) =>
    update(
      parts.map((x, k) =>
        k === i ? { ...x, ...p } : p.agreesPlan ? { ...x, agreesPlan: false } : x,
      ),
    );
  const move = (i: number, d: -1 | 1) => {
    const next = [...parts];
    [next[i], next[i + d]] = [next[i + d]!, next[i]!];
    update(next);
  };
  const clinicians = (consultation?.participants ?? []).filter((p) =>
    privatePartRoles.includes(p.role),
  );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!onSave || busy) return;
    if (parts.some((p) => !p.title.trim())) return setError(t('partTitle'));
    setBusy(true);
    setError(null);
    try {
      await onSave(
        parts.map((p) => ({
          ...p,
          title: p.title.trim(),
          privateParticipantIds: p.audience === 'private' ? (p.privateParticipantIds ?? []) : [],
        })),
      );
    } catch (err) {
      setError((err as { code?: string }).code === 'conflict' ? t('agendaConflict') : t('error'));
    } finally {
      setBusy(false);
    }
  };

  const body = (
    <>
      <ol className="lkt-agenda-editor">
        {parts.map((p, i) => (
          <li key={p.id ?? `new-${i}`} className="lkt-agenda-editor__part">
            <TextField
              id={`agenda.${i}.title`}
              label={t('partTitle')}
              value={p.title}
              maxLength={120}
              onValue={(v) => patch(i, { title: v })}
            />
            <SelectField
              id={`agenda.${i}.audience`}
              label={t('partAudience')}
              value={p.audience}
              options={AgendaAudience.options.map((a) => ({ value: a, label: t(`audience_${a}`) }))}
              onValue={(v) => patch(i, { audience: v as AgendaPartInput['audience'] })}
            />
            <label className="lkt-check">
              <input
                type="checkbox"
                checked={p.optional}
                onChange={(e) => patch(i, { optional: e.target.checked })}
              />
              {t('partOptional')}
            </label>
            <label className="lkt-check">
              <input
                type="checkbox"
                checked={p.agreesPlan ?? false}
                onChange={(e) => patch(i, { agreesPlan: e.target.checked })}
              />
              {t('partPlan')}
            </label>
            {p.audience === 'private' && clinicians.length > 0 && (
              <fieldset className="lkt-agenda-editor__private">
                <legend>{t('partPrivateWith')}</legend>
                {clinicians.map((c) => (
                  <label key={c.id} className="lkt-check">
                    <input
                      type="checkbox"
                      checked={(p.privateParticipantIds ?? []).includes(c.id)}
                      onChange={(e) => {
                        const ids = new Set(p.privateParticipantIds ?? []);
                        if (e.target.checked) ids.add(c.id);
                        else ids.delete(c.id);
                        patch(i, { privateParticipantIds: [...ids] });
                      }}
                    />
                    {c.name}
                  </label>
                ))}
              </fieldset>
            )}
            <div className="lkt-agenda-editor__tools">
              <button
                type="button"
                className="button button--secondary"
                disabled={i === 0}
                onClick={() => move(i, -1)}
              >
                {t('moveUp', { title: p.title || t('newPart') })}
              </button>
              <button
                type="button"
                className="button button--secondary"
                disabled={i === parts.length - 1}
                onClick={() => move(i, 1)}
              >
                {t('moveDown', { title: p.title || t('newPart') })}
              </button>
              <button
                type="button"
                className="button button--danger"
                disabled={parts.length === 1}
                onClick={() => update(parts.filter((_, k) => k !== i))}
              >
                {t('removePart', { title: p.title || t('newPart') })}
              </button>
            </div>
          </li>
        ))}
      </ol>
      <button
        type="button"
        className="button button--secondary"
        disabled={parts.length >= 12}
        onClick={() =>
          update([
            ...parts,
            {
              title: t('newPart'),
              audience: 'everyone',
              optional: false,
              agreesPlan: false,
              plannedMinutes: null,
              privateParticipantIds: [],
            },
          ])
        }
      >
        {t('addPart')}
      </button>
      {error && (
        <p className="field__error" role="alert">
          {error}
        </p>
      )}
    </>
  );
  if (!onSave) return <div className="lkt-agenda-editor__wrap">{body}</div>;
  return (
    <form onSubmit={(e) => void submit(e)} noValidate className="lkt-agenda-editor__wrap">
      {body}
      <div className="page-actions">
        <button type="submit" className="button" aria-disabled={busy}>
          {saveLabel}
        </button>
        {onCancel && (
          <button type="button" className="button button--secondary" onClick={onCancel}>
            {t('cancelEdit')}
          </button>
        )}
      </div>
    </form>
  );
}
