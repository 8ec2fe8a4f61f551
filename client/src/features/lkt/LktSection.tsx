import type { ReactNode } from 'react';
import type { Query } from '../../api/useQuery';
import { useLktT } from './useLkt';

/**
 * One LKT section of the consultation page: heading, intro, and its own load error with a
 * retry, so one section failing does not hide the others.
 */
export function LktSection({
  id,
  title,
  intro,
  query,
  children,
}: {
  id: string;
  title: string;
  intro?: string;
  query: Pick<Query<unknown>, 'error' | 'reload'>;
  children: ReactNode;
}) {
  const { t } = useLktT();
  return (
    <section aria-labelledby={`${id}-h`} className="panel lkt-section">
      <h2 id={`${id}-h`}>{title}</h2>
      {intro && <p className="lkt-intro">{intro}</p>}
      {query.error !== undefined && (
        <div className="alert alert--error" role="alert">
          {t('error')}{' '}
          <button type="button" className="button button--secondary" onClick={query.reload}>
            {t('retry')}
          </button>
        </div>
      )}
      {children}
    </section>
  );
}
