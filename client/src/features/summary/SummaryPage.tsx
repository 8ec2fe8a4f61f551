import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { TARIFF_SOURCE, type ConsultationSummary } from '@samkons/shared';
import { getPatientLogin, getRoomSession, useFeatureApi, useSession } from '../../api/session';
import { useQuery } from '../../api/useQuery';
import { isApiError } from '../../api/errors';
import { usePageTitle } from '../../app/usePageTitle';
import { tokenFromLink } from '../../app/linkToken';
import { formatDateTime, formatTime } from '../../i18n/format';
import { useFeatureT, type FeatureT } from '../reports/featureI18n';
import { PlanList } from '../lkt/PlanList';
import { useLktT } from '../lkt/useLkt';
import { summaryEndpoints } from './api';
import { summaryBundles, type SummaryStrings } from './i18n';
import '../lkt/lkt.css';
import './summary.css';
import { LoadFailed } from '../../app/LoadFailed';

type T = FeatureT<SummaryStrings>;

/**
 * The summary after a session (route /summary/:consultationId), for the one reading it as
 * they may see it: who took part and in which parts, "min gode dag" (if shared with them),
 * the plan, the next meeting, for the GP the fee codes to consider, and the survey. Made to
 * be printed: "Skriv ut", and a print stylesheet without the site's navigation.
 *
 * Staff read it with their login; a participant with the call's session token (from the end
 * screen, in this tab) or a link's `#t=` token; the patient entry's eID login for one's own.
 */
export function SummaryPage() {
  const { consultationId = '' } = useParams();
  const { t } = useFeatureT('summary', summaryBundles);
  usePageTitle(t('title'));
  const api = useFeatureApi(summaryEndpoints);
  const { account } = useSession();
  const [patientLogin] = useState(() => getPatientLogin());
  const [token] = useState(() => {
    const fromLink = tokenFromLink(`samkons.summary.${consultationId}`);
    if (account) return fromLink;
    return fromLink ?? getRoomSession(consultationId)?.sessionToken ?? patientLogin?.patientToken;
  });
  const canAsk = Boolean(token || account);
  const q = useQuery(
    (signal) => (canAsk ? api.summary(consultationId, token, signal) : Promise.resolve(undefined)),
    [consultationId, token, canAsk],
  );

  const back = account ? (
    <Link className="button button--secondary" to={`/consultations/${consultationId}`}>
      {t('backToConsultation')}
    </Link>
  ) : patientLogin ? (
    <Link className="button button--secondary" to="/pasient">
      {t('backToPatientEntry')}
    </Link>
  ) : null;

  if (
    !canAsk ||
    (q.error !== undefined && isApiError(q.error) && q.error.code === 'unauthenticated')
  ) {
    return (
      <div className="summary">
        <h1>{t('title')}</h1>
        <p>{canAsk ? t('expired') : t('needLogin')}</p>
        <Link className="button" to="/login">
          {t('login')}
        </Link>
      </div>
    );
  }
  return (
    <div className="summary" data-testid="summary">
      {q.loading && (
        <>
          <h1>{t('title')}</h1>
          <p role="status">{t('loading')}</p>
        </>
      )}
      {q.error !== undefined && !q.loading && (
        <>
          <h1>{t('title')}</h1>
          <LoadFailed
            message={
              isApiError(q.error) && q.error.code === 'not_found' ? t('notFound') : t('error')
            }
            retry={t('retry')}
            onRetry={q.reload}
          />
          {back}
        </>
      )}
      {q.data && !q.loading && <SummaryBody s={q.data} t={t} token={token} back={back} />}
    </div>
  );
}

function SummaryBody(props: {
  s: ConsultationSummary;
  t: T;
  token: string | undefined;
  back: React.ReactNode;
}) {
  const { s, t } = props;
  const app = useTranslation().t;
  const lkt = useLktT().t;
  const role = (r: string) => app(`roles.${r}` as 'roles.patient', { defaultValue: r });
  const title = s.title ?? app(`kinds.${s.kind}` as 'kinds.co_consultation');
  const me = s.participants.find((p) => p.participantId === s.you.participantId);
  const surveyHref = props.token
    ? `${s.surveyPath}#t=${encodeURIComponent(props.token)}`
    : s.surveyPath;
  const partsOf = (p: ConsultationSummary['participants'][number]) =>
    p.parts
      .map((x) =>
        x.group === 'private' || x.group === 'side'
          ? `${x.title} (${t(`group_${x.group}`)})`
          : x.title,
      )
      .join(', ');

  return (
    <article aria-labelledby="summary-heading">
      <div className="summary__actions" role="group" aria-label={t('actions')}>
        {props.back}
        <button type="button" className="button" onClick={() => window.print()}>
          {t('print')}
        </button>
      </div>
      <h1 id="summary-heading">{t('heading', { title })}</h1>
      {me && (
        <p className="summary__for" data-testid="summary-for">
          {t('forWhom', { name: me.name, role: role(me.role) })}
        </p>
      )}
      <dl className="details summary__facts">
        <dt>{t('when')}</dt>
        <dd>
          {formatDateTime(s.startsAt)}–{formatTime(s.endsAt)}
        </dd>
        {s.organiserName && (
          <>
            <dt>{t('organiser')}</dt>
            <dd>{s.organiserName}</dd>
          </>
        )}
        <dt>{t('organisation')}</dt>
        <dd>{s.documentingOrganisation}</dd>
        <dt>{t('status')}</dt>
        <dd>{app(`status.${s.status}` as 'status.booked')}</dd>
      </dl>

      <section className="summary__section" aria-labelledby="summary-people">
        <h2 id="summary-people">{t('peopleTitle')}</h2>
        <ul className="summary__people" data-testid="summary-people">
          {s.participants.map((p) => (
            <li key={p.participantId} data-attended={String(p.attended)}>
              <p className="summary__who">
                <strong>{p.name}</strong>, {role(p.role)}
                {p.organisation && <>, {p.organisation}</>}
              </p>
              <p className="summary__attended">
                {p.attended === null
                  ? t('attendedUnknown')
                  : p.attended
                    ? t('attendedYes')
                    : t('attendedNo')}
              </p>
              {p.parts.length > 0 && (
                <p className="summary__parts">{t('inParts', { parts: partsOf(p) })}</p>
              )}
            </li>
          ))}
        </ul>
      </section>

      <section className="summary__section" aria-labelledby="summary-agenda">
        <h2 id="summary-agenda">{t('partsTitle')}</h2>
        {s.parts.length === 0 ? (
          <p>{t('partsNone')}</p>
        ) : (
          <ol className="summary__agenda" data-testid="summary-parts">
            {s.parts.map((part, i) => (
              <li key={`${part.partId}-${i}`}>
                <strong>{part.title}</strong> ({t(`audience_${part.audience}`)}),{' '}
                {t('partTime', {
                  start: formatTime(part.startedAt),
                  end: part.endedAt ? formatTime(part.endedAt) : '',
                })}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section
        className="summary__section"
        aria-labelledby="summary-story"
        data-testid="summary-story"
      >
        <h2 id="summary-story">{lkt('storyTitle')}</h2>
        {s.story?.state === 'shown' ? (
          <>
            {s.story.story.whatMatters && (
              <>
                <h3>{lkt('storyWhatMatters')}</h3>
                <p className="summary__text">{s.story.story.whatMatters}</p>
              </>
            )}
            {s.story.story.goodDay && (
              <>
                <h3>{lkt('storyGoodDay')}</h3>
                <p className="summary__text">{s.story.story.goodDay}</p>
              </>
            )}
          </>
        ) : (
          <p>{s.story?.state === 'not_written' ? lkt('storyNotWritten') : lkt('storyNotShared')}</p>
        )}
      </section>

      <section
        className="summary__section"
        aria-labelledby="summary-plan"
        data-testid="summary-plan"
      >
        <h2 id="summary-plan">{lkt('planTitle')}</h2>
        {s.plan.length === 0 ? <p>{lkt('planEmpty')}</p> : <PlanList items={s.plan} />}
        {s.planWithheld > 0 && <p>{lkt('planWithheld', { n: s.planWithheld })}</p>}
      </section>

      <section
        className="summary__section"
        aria-labelledby="summary-next"
        data-testid="summary-next"
      >
        <h2 id="summary-next">{t('nextTitle')}</h2>
        <p>
          {s.nextMeeting
            ? s.nextMeeting.title
              ? t('nextAt', {
                  title: s.nextMeeting.title,
                  date: formatDateTime(s.nextMeeting.startsAt),
                })
              : formatDateTime(s.nextMeeting.startsAt)
            : t('nextNone')}
        </p>
      </section>

      {s.tariffHints.length > 0 && (
        <section
          className="summary__section"
          aria-labelledby="summary-tariff"
          data-testid="summary-tariff"
        >
          <h2 id="summary-tariff">{t('tariffTitle')}</h2>
          <p>{t('tariffIntro')}</p>
          <ul>
            {s.tariffHints.map((h) => (
              <li key={h.code}>
                <strong>{h.code}</strong>: {t(`tariff_${h.code}`)}
              </li>
            ))}
          </ul>
          <p className="summary__source">
            {t('tariffSource', { name: TARIFF_SOURCE.name })}{' '}
            <a href={TARIFF_SOURCE.url} rel="noopener">
              {TARIFF_SOURCE.url}
            </a>
          </p>
        </section>
      )}

      <section className="summary__section summary__survey" aria-labelledby="summary-survey">
        <h2 id="summary-survey">{t('surveyTitle')}</h2>
        <a className="button button--secondary" href={surveyHref} data-testid="summary-survey">
          {t('surveyLink')}
        </a>
      </section>
    </article>
  );
}
