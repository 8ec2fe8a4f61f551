import { useState, type FormEvent } from 'react';
import { StorySharing, type SaveStoryRequest, type StoryView } from '@samkons/shared';
import { formatShortDateTime } from '../../i18n/format';
import { useLktT } from './useLkt';

/**
 * "Min historie / min gode dag", written by the patient or a guardian (pre-join, patient
 * entry). `save` goes to whichever route the page has a credential for.
 */
export function StoryForm({
  view,
  save,
  idPrefix,
}: {
  view: StoryView;
  save: (body: SaveStoryRequest) => Promise<StoryView>;
  idPrefix: string;
}) {
  const { t } = useLktT();
  const story = view.state === 'shown' ? view.story : undefined;
  const [whatMatters, setWhatMatters] = useState(story?.whatMatters ?? '');
  const [goodDay, setGoodDay] = useState(story?.goodDay ?? '');
  const [sharing, setSharing] = useState<StorySharing>(story?.sharing ?? 'health_personnel');
  const [version, setVersion] = useState(story?.version);
  const [notice, setNotice] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    if (busy) return;
    if (!whatMatters.trim() && !goodDay.trim()) {
      return setNotice({ kind: 'error', text: t('storyEmpty') });
    }
    setBusy(true);
    try {
      const next = await save({
        whatMatters,
        goodDay,
        sharing,
        ...(version !== undefined ? { expectedVersion: version } : {}),
      });
      if (next.state === 'shown') setVersion(next.story.version);
      setNotice({ kind: 'success', text: t('storySaved') });
    } catch (err) {
      const code = (err as { code?: string }).code;
      setNotice({ kind: 'error', text: code === 'conflict' ? t('storyConflict') : t('error') });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="lkt-story-form" onSubmit={(e) => void onSubmit(e)} noValidate>
      <div className="field">
        <label htmlFor={`${idPrefix}-matters`}>{t('storyWhatMatters')}</label>
        <textarea
          id={`${idPrefix}-matters`}
          rows={4}
          maxLength={4000}
          value={whatMatters}
          onChange={(e) => setWhatMatters(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${idPrefix}-goodday`}>{t('storyGoodDay')}</label>
        <textarea
          id={`${idPrefix}-goodday`}
          rows={4}
          maxLength={4000}
          value={goodDay}
          onChange={(e) => setGoodDay(e.target.value)}
        />
      </div>
      <fieldset className="lkt-story-form__sharing">
        <legend>{t('storySharing')}</legend>
        {StorySharing.options.map((s) => (
          <label key={s} className="lkt-radio">
            <input
              type="radio"
              name={`${idPrefix}-sharing`}
              value={s}
              checked={sharing === s}
              onChange={() => setSharing(s)}
            />
            {t(`sharing_${s}`)}
          </label>
        ))}
      </fieldset>
      {story && (
        <p className="field__hint">
          {t('storyBy', { date: formatShortDateTime(story.updatedAt), name: story.updatedByName })}
        </p>
      )}
      <div aria-live="polite">
        {notice && (
          <p
            className={`alert alert--${notice.kind}`}
            role={notice.kind === 'error' ? 'alert' : 'status'}
          >
            {notice.text}
          </p>
        )}
      </div>
      <button type="submit" className="button" aria-disabled={busy}>
        {t('storySave')}
      </button>
    </form>
  );
}

/** A story as others read it (consultation page, summary). */
export function StoryText({ view }: { view: StoryView }) {
  const { t } = useLktT();
  if (view.state === 'not_shared') return <p className="lkt-empty">{t('storyNotShared')}</p>;
  if (view.state === 'not_written') return <p className="lkt-empty">{t('storyNotWritten')}</p>;
  return (
    <div className="lkt-story">
      <h3>{t('storyWhatMatters')}</h3>
      <p className="lkt-story__text">{view.story.whatMatters || '–'}</p>
      <h3>{t('storyGoodDay')}</h3>
      <p className="lkt-story__text">{view.story.goodDay || '–'}</p>
      <p className="field__hint">
        {t('storyBy', {
          date: formatShortDateTime(view.story.updatedAt),
          name: view.story.updatedByName,
        })}
      </p>
    </div>
  );
}
