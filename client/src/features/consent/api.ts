import {
  Consent,
  ConsentList,
  ConsentRefusal,
  Consultation,
  type GiveConsentRequest,
  type RefuseConsentRequest,
  type WithdrawConsentRequest,
} from '@samkons/shared';
import type { ApiClient } from '../../api/client';

/**
 * Consent routes (server/src/booking/routes.ts), bound where consent is asked or recorded
 * (`useFeatureApi(consentEndpoints)`). `token`: a live-session token (patient or guardian joining by link); without
 * it the staff login is used (a clinician recording verbal consent).
 */
export function consentEndpoints(api: ApiClient) {
  const withToken = (token?: string) => (token ? { token } : {});
  const base = (id: string) => `/consultations/${encodeURIComponent(id)}`;
  return {
    consultationForSession: (id: string, token: string, signal?: AbortSignal) =>
      api.get(base(id), { schema: Consultation, token, signal }),
    consentsForSession: (id: string, token: string, signal?: AbortSignal) =>
      api.get(`${base(id)}/consents`, { schema: ConsentList, token, signal }),
    giveConsent: (id: string, body: GiveConsentRequest, token?: string) =>
      api.post(`${base(id)}/consents`, { body, schema: Consent, ...withToken(token) }),
    /** Without a body the caller refuses for themself; a clinician sends method 'verbal'. */
    refuseConsent: (id: string, body: RefuseConsentRequest = {}, token?: string) =>
      api.post(`${base(id)}/consents/refuse`, {
        body,
        schema: ConsentRefusal,
        ...withToken(token),
      }),
    withdrawConsent: (
      id: string,
      consentId: string,
      body: WithdrawConsentRequest,
      token?: string,
    ) =>
      api.post(`${base(id)}/consents/${encodeURIComponent(consentId)}/withdraw`, {
        body,
        schema: Consent,
        ...withToken(token),
      }),
  };
}
