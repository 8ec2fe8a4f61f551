import type { CareTeamMember } from '@samkons/shared';
import { useLktT } from './useLkt';

/** The care team, the coordinator first and marked; contact details as links. */
export function CareTeamList({
  members,
  actions,
}: {
  members: readonly CareTeamMember[];
  actions?: (m: CareTeamMember) => React.ReactNode;
}) {
  const { t } = useLktT();
  if (members.length === 0) return <p className="lkt-empty">{t('careTeamEmpty')}</p>;
  return (
    <ul className="lkt-team">
      {members.map((m) => (
        <li key={m.id} className="lkt-team__member">
          <p className="lkt-team__name">
            {m.name}
            {m.isCoordinator && <span className="lkt-badge">{t('coordinator')}</span>}
          </p>
          <p className="lkt-team__meta">
            {t(`role_${m.role}`)}
            {m.title && `, ${m.title}`}
            {m.organisation && ` · ${m.organisation}`}
          </p>
          {(m.phone || m.email) && (
            <p className="lkt-team__contact">
              {m.phone && <a href={`tel:${m.phone.replace(/\s/g, '')}`}>{m.phone}</a>}
              {m.phone && m.email && ' · '}
              {m.email && <a href={`mailto:${m.email}`}>{m.email}</a>}
            </p>
          )}
          {actions?.(m)}
        </li>
      ))}
    </ul>
  );
}
