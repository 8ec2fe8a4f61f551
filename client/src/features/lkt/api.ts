import {
  Agenda,
  CareTeam,
  CareTeamLookupResponse,
  CareTeamMember,
  MyPlanItems,
  PatientCareOverview,
  PlanItem,
  PlanView,
  StoryView,
  type CareTeamLookupRequest,
  type NewCareTeamMember,
  type NewPlanItem,
  type PlanProgressRequest,
  type SaveStoryRequest,
  type UpdateAgendaRequest,
} from '@samkons/shared';
import { z } from 'zod';
import type { ApiClient } from '../../api/client';

const Removed = z.object({ removed: z.literal(true) });

/**
 * LKT routes (server/src/{agenda,care-team,story,plan}, server/src/lkt/patient-routes.ts),
 * bound with `useFeatureApi(lktEndpoints)`. `token`: a live-session token (the patient's
 * pre-join); without it the staff login is used. `patientToken`: the patient entry's token.
 */
export function lktEndpoints(api: ApiClient) {
  const base = (id: string) => `/consultations/${encodeURIComponent(id)}`;
  const as = (token?: string) => (token ? { token } : {});
  return {
    agenda: (id: string, signal?: AbortSignal) =>
      api.get(`${base(id)}/agenda`, { schema: Agenda, signal }),
    saveAgenda: (id: string, body: UpdateAgendaRequest) =>
      api.request('PUT', `${base(id)}/agenda`, { body, schema: Agenda }),
    careTeam: (id: string, signal?: AbortSignal) =>
      api.get(`${base(id)}/care-team`, { schema: CareTeam, signal }),
    addMember: (id: string, body: NewCareTeamMember) =>
      api.post(`${base(id)}/care-team/members`, { body, schema: CareTeamMember }),
    updateMember: (id: string, memberId: string, body: Partial<NewCareTeamMember>) =>
      api.patch(`${base(id)}/care-team/members/${encodeURIComponent(memberId)}`, {
        body,
        schema: CareTeamMember,
      }),
    removeMember: (id: string, memberId: string) =>
      api.delete(`${base(id)}/care-team/members/${encodeURIComponent(memberId)}`, {
        schema: Removed,
      }),
    lookupCareTeam: (body: CareTeamLookupRequest) =>
      api.post('/care-teams/lookup', { body, schema: CareTeamLookupResponse }),
    story: (id: string, token?: string, signal?: AbortSignal) =>
      api.get(`${base(id)}/story`, { schema: StoryView, signal, ...as(token) }),
    saveStory: (id: string, body: SaveStoryRequest, token?: string) =>
      api.request('PUT', `${base(id)}/story`, { body, schema: StoryView, ...as(token) }),
    plan: (id: string, signal?: AbortSignal) =>
      api.get(`${base(id)}/plan`, { schema: PlanView, signal }),
    addPlanItem: (id: string, body: NewPlanItem) =>
      api.post(`${base(id)}/plan/items`, { body, schema: PlanItem }),
    removePlanItem: (id: string, itemId: string) =>
      api.delete(`${base(id)}/plan/items/${encodeURIComponent(itemId)}`, { schema: Removed }),
    progress: (itemId: string, body: PlanProgressRequest) =>
      api.post(`/plan/items/${encodeURIComponent(itemId)}/progress`, { body, schema: PlanItem }),
    myPlans: (signal?: AbortSignal) => api.get('/plan/mine', { schema: MyPlanItems, signal }),
    patientCare: (patientToken: string, signal?: AbortSignal) =>
      api.get('/patient/care', { schema: PatientCareOverview, token: patientToken, signal }),
    patientSaveStory: (patientToken: string, recordId: string, body: SaveStoryRequest) =>
      api.request('PUT', `/patient/records/${encodeURIComponent(recordId)}/story`, {
        body,
        schema: StoryView,
        token: patientToken,
      }),
    patientProgress: (patientToken: string, itemId: string, body: PlanProgressRequest) =>
      api.post(`/patient/plan-items/${encodeURIComponent(itemId)}/progress`, {
        body,
        schema: PlanItem,
        token: patientToken,
      }),
  };
}
export type LktApi = ReturnType<typeof lktEndpoints>;
