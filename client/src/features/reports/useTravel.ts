import { useCallback } from 'react';
import type { TravelPlanInput } from '@samkons/shared';
import { useFeatureApi } from '../../api/session';
import { reportsEndpoints } from './api';
import { useQuery } from '../../api/useQuery';

/** The configured table of places, the saved plans, and saving one participant's avoided trip. */
export function useTravel(consultationId: string) {
  const api = useFeatureApi(reportsEndpoints);
  const places = useQuery((signal) => api.travelPlaces(signal), []);
  const plans = useQuery((signal) => api.travelPlans(consultationId, signal), [consultationId]);
  const save = useCallback(
    async (participantId: string, plan: TravelPlanInput): Promise<void> => {
      await api.setTravelPlan(consultationId, participantId, plan);
    },
    [api, consultationId],
  );
  return { places, plans, save };
}
