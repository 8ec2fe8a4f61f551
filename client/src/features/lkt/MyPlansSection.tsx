import type { PlanItemInContext } from '@samkons/shared';
import { useQuery } from '../../api/useQuery';
import { formatDate } from '../../i18n/format';
import { PlanList } from './PlanList';
import { useLktApi, useLktT } from './useLkt';
import './lkt.css';
import { LoadFailed } from '../../app/LoadFailed';

/**
 * "Mine konsultasjonar": the plans of the consultations the staff member took part in and
 * the items they own (marked done here), grouped by the meeting they were agreed in.
 */
export function MyPlansSection() {
  const { t } = useLktT();
  const api = useLktApi();
  const q = useQuery((signal) => api.myPlans(signal), [api]);
  const groups = new Map<string, PlanItemInContext[]>();
  for (const item of q.data?.items ?? []) {
    groups.set(item.consultationId, [...(groups.get(item.consultationId) ?? []), item]);
  }
  return (
    <section aria-labelledby="lkt-mine-h" className="panel lkt lkt-mine">
      <h2 id="lkt-mine-h">{t('mineTitle')}</h2>
      {q.error !== undefined && (
        <LoadFailed message={t('error')} retry={t('retry')} onRetry={q.reload} />
      )}
      {q.data && q.data.items.length === 0 && <p className="lkt-empty">{t('mineEmpty')}</p>}
      {[...groups.values()].map((items) => {
        const first = items[0]!;
        return (
          <div key={first.consultationId}>
            <p className="lkt-meeting-from">
              {t('fromMeeting', {
                title: first.consultationTitle ?? '',
                date: formatDate(first.consultationStartsAt),
              })}
            </p>
            <PlanList
              items={items}
              actions={{
                ownItemIds: q.data?.ownItemIds ?? [],
                onProgress: async (item, body) => {
                  await api.progress(item.id, body);
                  q.reload();
                },
              }}
            />
          </div>
        );
      })}
    </section>
  );
}
