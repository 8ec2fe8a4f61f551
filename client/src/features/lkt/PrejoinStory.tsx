import { useState } from 'react';
import { useQuery } from '../../api/useQuery';
import { StoryForm } from './StoryForm';
import { useLktApi, useLktT } from './useLkt';
import './lkt.css';

/**
 * On the patient's pre-join (invite link or patient entry): "Min historie / min gode dag",
 * folded, for the patient or a guardian to write before the meeting. Shown only to those
 * who may write it (the server says so: `canEdit`).
 */
export function PrejoinStory({
  consultationId,
  sessionToken,
}: {
  consultationId: string;
  sessionToken: string;
}) {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery(
    (signal) => api.story(consultationId, sessionToken, signal),
    [api, consultationId, sessionToken],
  );
  const [open, setOpen] = useState(false);
  if (!q.data || !q.data.canEdit) return null;
  return (
    <section aria-labelledby="lkt-prejoin-story-h" className="panel lkt-prejoin-story">
      <h2 id="lkt-prejoin-story-h">{t('storyTitle')}</h2>
      <p className="lkt-intro">{t('storyIntro')}</p>
      <details open={open} onToggle={(e) => setOpen((e.target as HTMLDetailsElement).open)}>
        <summary>{t('storyWhatMatters')}</summary>
        <StoryForm
          view={q.data}
          idPrefix="prejoin-story"
          save={(body) => api.saveStory(consultationId, body, sessionToken)}
        />
      </details>
    </section>
  );
}
