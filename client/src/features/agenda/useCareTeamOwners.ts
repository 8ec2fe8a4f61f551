import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { CareTeam } from '@samkons/shared';
import { useFeatureApi } from '../../api/session';
import type { ApiClient } from '../../api/client';
import type { PlanOwnerChoice } from './PlanPanel';

const careTeamEndpoint = (api: ApiClient) => ({
  careTeam: (consultationId: string, token: string, signal: AbortSignal) =>
    api.get(`/consultations/${encodeURIComponent(consultationId)}/care-team`, {
      schema: CareTeam,
      token,
      signal,
    }),
});

/**
 * Who a plan item can be given to: the patient's care team (with the live-session token of
 * the host). Empty while loading, for non-hosts, or when the team cannot be read.
 */
export function useCareTeamOwners(
  consultationId: string | undefined,
  token: string | undefined,
  enabled: boolean,
): PlanOwnerChoice[] {
  const api = useFeatureApi(careTeamEndpoint);
  const { t } = useTranslation();
  const [owners, setOwners] = useState<PlanOwnerChoice[]>([]);
  useEffect(() => {
    if (!enabled || !consultationId || !token) return;
    const abort = new AbortController();
    api
      .careTeam(consultationId, token, abort.signal)
      .then((team) =>
        setOwners(
          team.members.map((m) => ({
            value: m.id,
            label: [
              m.name,
              m.title ?? t(`roles.${m.role}` as 'roles.gp', { defaultValue: '' }),
              m.organisation,
            ]
              .filter(Boolean)
              .join(' · '),
          })),
        ),
      )
      .catch(() => setOwners([]));
    return () => abort.abort();
  }, [api, consultationId, token, enabled, t]);
  return owners;
}
