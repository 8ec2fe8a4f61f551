import type { ReactNode } from 'react';
import type { Query } from '../../api/useQuery';
import { useLktT } from './useLkt';
import { LoadFailed } from '../../app/LoadFailed';

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
        <LoadFailed message={t('error')} retry={t('retry')} onRetry={query.reload} />
      )}
      {children}
    </section>
  );
}
