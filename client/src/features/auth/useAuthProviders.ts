import { useEffect, useState } from 'react';
import { useApi } from '../../api/session';
import type { Endpoints } from '../../api/endpoints';
import type { AuthProviders } from '@samkons/shared';

const UNKNOWN: AuthProviders = { password: true, oidc: false, patientOidc: false };

/**
 * One request per API client: many components ask (for the eID's name too), and what the
 * server offers does not change while the page is open. A failure is forgotten, so the
 * next component to mount asks again.
 */
const asked = new WeakMap<Endpoints, Promise<AuthProviders>>();
const known = new WeakMap<Endpoints, AuthProviders>();

function providersOf(api: Endpoints): Promise<AuthProviders> {
  let request = asked.get(api);
  if (!request) {
    request = api.providers();
    asked.set(api, request);
    request.then(
      (p) => known.set(api, p),
      () => asked.delete(api),
    );
  }
  return request;
}

/**
 * What the server offers; while unknown, or on error, only the password form shows (and
 * no patient eID).
 */
export function useAuthProviders(): AuthProviders {
  const api = useApi();
  const [providers, setProviders] = useState<AuthProviders>(() => known.get(api) ?? UNKNOWN);
  useEffect(() => {
    let live = true;
    providersOf(api)
      .then((p) => live && setProviders(p))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api]);
  return providers;
}

/** What the patient eID is called when the server does not say: Norway's public eID. */
const DEFAULT_PATIENT_EID_NAME = 'ID-porten';

/** The patient eID's name for texts such as "Logg inn med ID-porten". */
export const patientEidName = (p: AuthProviders): string =>
  p.patientOidcName ?? DEFAULT_PATIENT_EID_NAME;
