import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import {
  SURVEY_FREE_TEXT_MAX,
  type SurveyAudience,
  type SurveyQuestionId,
  type SurveyStatus,
} from '@samkons/shared';
import { getRoomSession, useFeatureApi, useSession } from '../../api/session';
import { surveyEndpoints } from './api';
import { useQuery } from '../../api/useQuery';
import { isApiError } from '../../api/errors';
import { usePageTitle } from '../../app/usePageTitle';
import { tokenFromLink } from '../../app/linkToken';
import { useFeatureT, type FeatureT } from '../reports/featureI18n';
import { surveyMessages, type SurveyMessages } from './i18n';
import { emptyDraft, questionKey, toAnswer, type SurveyDraft } from './model';
import './survey.css';
import { LoadFailed } from '../../app/LoadFailed';

type T = FeatureT<SurveyMessages>;

/**
 * Post-session experience survey (route /survey/:consultationId). Participants who joined
 * with an invitation link answer with their room session token; staff with their login.
 */
export function SurveyPage() {
  const { consultationId = '' } = useParams();
  const { t } = useFeatureT('survey', surveyMessages);
  usePageTitle(t('title'));
  const api = useFeatureApi(surveyEndpoints);
  const { account } = useSession();
  const [token] = useState(() => {
    // Read (and take out of the address bar) the link's token even when this tab also has
    // the room's session: a tab opened from the call inherits that tab's sessionStorage.
    const fromLink = surveyLinkToken(consultationId);
    return getRoomSession(consultationId)?.sessionToken ?? fromLink;
  });
  const canAsk = Boolean(token || account);
  const status = useQuery(
    (signal) =>
      canAsk ? api.surveyStatus(consultationId, token, signal) : Promise.resolve(undefined),
    [consultationId, token, canAsk],
  );

  if (!canAsk) {
    return (
      <div className="survey">
        <h1>{t('title')}</h1>
        <p>{t('needLogin')}</p>
        <Link className="button" to="/login">
          {t('login')}
        </Link>
      </div>
    );
  }

  return (
    <div className="survey">
      <h1>{t('title')}</h1>
      {status.loading && <p role="status">{t('loading')}</p>}
      {status.error !== undefined && (
        <LoadFailed
          message={t(errorKey(status.error))}
          retry={t('retry')}
          onRetry={status.reload}
        />
      )}
      {status.data && !status.loading && (
        <SurveyBody status={status.data} t={t} consultationId={consultationId} token={token} />
      )}
    </div>
  );
}

/** The token of a survey link opened in a tab of its own (`/survey/<id>#t=<token>`). */
function surveyLinkToken(consultationId: string): string | undefined {
  return tokenFromLink(`samkons.survey.${consultationId}`);
}

function errorKey(err: unknown): keyof SurveyMessages {
  if (!isApiError(err)) return 'error';
  if (err.code === 'forbidden') return 'forbidden';
  if (err.code === 'not_found') return 'notFound';
  if (err.code === 'bad_request') return 'invalid';
  return 'error';
}

function SurveyBody(props: {
  status: SurveyStatus;
  t: T;
  consultationId: string;
  token: string | undefined;
}) {
  const { status, t } = props;
  const api = useFeatureApi(surveyEndpoints);
  const [draft, setDraft] = useState<SurveyDraft>(emptyDraft);
  const [sending, setSending] = useState(false);
  const [done, setDone] = useState<'thanks' | 'already' | null>(status.answered ? 'already' : null);
  const [error, setError] = useState<keyof SurveyMessages | null>(null);
  const doneRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (done === 'thanks') doneRef.current?.focus();
  }, [done]);

  if (done === 'already') return <p role="status">{t('alreadyAnswered')}</p>;
  if (done === 'thanks') {
    return (
      <div className="alert alert--success" data-testid="survey-thanks">
        <h2 ref={doneRef} tabIndex={-1}>
          {t('thanksTitle')}
        </h2>
        <p>{t('thanks')}</p>
      </div>
    );
  }
  if (!status.open) return <p role="status">{t('notOpen')}</p>;

  const audience = status.audience;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const answer = toAnswer(audience, draft);
    if (!answer) {
      setError('invalid');
      return;
    }
    setSending(true);
    setError(null);
    try {
      await api.answerSurvey(props.consultationId, answer, props.token);
      setDone('thanks');
    } catch (err) {
      if (isApiError(err) && err.code === 'conflict') setDone('already');
      else setError(errorKey(err));
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="survey__form" onSubmit={(e) => void submit(e)} noValidate>
      <p>{t('intro')}</p>
      <p id="scale-hint">{t('scaleHint')}</p>
      {(status.questions as SurveyQuestionId[]).map((q) => (
        <Likert
          key={q}
          audience={audience}
          question={q}
          value={draft.scores[q] ?? null}
          onValue={(v) => setDraft({ ...draft, scores: { ...draft.scores, [q]: v } })}
          t={t}
        />
      ))}
      <div className="field">
        <label htmlFor="survey-free-text">{t('freeTextLabel')}</label>
        <span id="survey-free-text-hint" className="field__hint">
          {t('freeTextHint', { max: SURVEY_FREE_TEXT_MAX })}
        </span>
        <textarea
          id="survey-free-text"
          rows={4}
          maxLength={SURVEY_FREE_TEXT_MAX}
          aria-describedby="survey-free-text-hint"
          value={draft.freeText}
          onChange={(e) => setDraft({ ...draft, freeText: e.target.value })}
        />
      </div>
      {error && (
        <p className="field__error" role="alert">
          {t(error)}
        </p>
      )}
      <button type="submit" className="button button--large" disabled={sending}>
        {sending ? t('sending') : t('submit')}
      </button>
    </form>
  );
}

const SCALE = [1, 2, 3, 4, 5] as const;

function Likert(props: {
  audience: SurveyAudience;
  question: SurveyQuestionId;
  value: number | null;
  onValue: (v: number | null) => void;
  t: T;
}) {
  const { t, question } = props;
  const name = `survey-${question}`;
  return (
    <fieldset className="survey__question" aria-describedby="scale-hint">
      <legend>{t(questionKey(props.audience, question))}</legend>
      <div className="survey__scale">
        {SCALE.map((v) => (
          <label key={v} className="survey__option">
            <input
              type="radio"
              name={name}
              value={v}
              checked={props.value === v}
              onChange={() => props.onValue(v)}
            />
            <span>{t(`scale${v}`)}</span>
          </label>
        ))}
        <label className="survey__option survey__option--none">
          <input
            type="radio"
            name={name}
            value=""
            checked={props.value === null}
            onChange={() => props.onValue(null)}
          />
          <span>{t('noAnswer')}</span>
        </label>
      </div>
    </fieldset>
  );
}
