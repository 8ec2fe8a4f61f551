import { Link } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import type { Consultation } from '@samkons/shared';
import { usePageTitle } from '../../app/usePageTitle';
import { errorMessageKey } from '../../api/errors';
import { formatDate, formatTime } from '../../i18n/format';
import { useMyConsultations } from './hooks';
import { MyPlansSection } from '../lkt/MyPlansSection';
import './consultations.css';
import { LoadFailed } from '../../app/LoadFailed';

export function MyConsultationsPage() {
  const { t } = useTranslation();
  usePageTitle(t('consultations.title'));
  const { today, upcoming, loading, error, reload } = useMyConsultations();

  return (
    <>
      <h1>{t('consultations.title')}</h1>
      <div className="page-actions">
        <Link to="/consultations/new" className="button">
          {t('consultations.book')}
        </Link>
      </div>

      {error !== undefined && (
        <LoadFailed
          message={t(errorMessageKey(error))}
          retry={t('consultations.retry')}
          onRetry={reload}
        />
      )}
      {loading && <p role="status">{t('app.loading')}</p>}

      {!loading && error === undefined && (
        <>
          <ConsultationSection
            id="today"
            title={t('consultations.today')}
            items={today}
            empty={t('consultations.noneToday')}
            showDate={false}
          />
          <ConsultationSection
            id="upcoming"
            title={t('consultations.upcoming')}
            items={upcoming}
            empty={t('consultations.noneUpcoming')}
            showDate
          />
          {/* LKT (lkt-data): plans agreed in my consultations and the items I own. */}
          <MyPlansSection />
        </>
      )}
    </>
  );
}

function ConsultationSection(props: {
  id: string;
  title: string;
  items: readonly Consultation[];
  empty: string;
  showDate: boolean;
}) {
  const headingId = `section-${props.id}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{props.title}</h2>
      {props.items.length === 0 ? (
        <p>{props.empty}</p>
      ) : (
        <ul className="consultation-list">
          {props.items.map((c) => (
            <li key={c.id}>
              <ConsultationCard
                consultation={c}
                showDate={props.showDate}
                joinable={!props.showDate}
              />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ConsultationCard({
  consultation: c,
  showDate,
  joinable = false,
}: {
  consultation: Consultation;
  showDate: boolean;
  /** Today's list: a join button straight to the pre-join (list -> call in two clicks). */
  joinable?: boolean;
}) {
  const { t } = useTranslation();
  const title = c.title ?? t(`kinds.${c.kind}`);
  const people = c.participants.map((p) => `${p.name} (${t(`roles.${p.role}`)})`).join(', ');
  return (
    <article className={`card consultation-card consultation-card--${c.status}`}>
      <div className="consultation-card__time">
        {showDate && <div>{formatDate(c.startsAt)}</div>}
        {t('consultations.timeRange', { start: formatTime(c.startsAt), end: formatTime(c.endsAt) })}
      </div>
      <div>
        <h3 className="consultation-card__title">{title}</h3>
        <p className="consultation-card__meta">
          {c.title && <>{t(`kinds.${c.kind}`)} · </>}
          {t('consultations.participants', { count: c.participants.length })}
          {people && <>: {people}</>}
        </p>
        {c.status !== 'booked' && (
          <span className={`status status--${c.status}`}>{t(`status.${c.status}`)}</span>
        )}
      </div>
      <div className="consultation-card__actions">
        {joinable && (c.status === 'booked' || c.status === 'in_progress') && (
          <Link to={`/consultations/${c.id}/join`} className="button">
            {t('consultation.joinRoom')}
            <span className="visually-hidden"> {title}</span>
          </Link>
        )}
        <Link to={`/consultations/${c.id}`} className="button button--secondary">
          {t('app.open')}
          <span className="visually-hidden"> {title}</span>
        </Link>
      </div>
    </article>
  );
}
