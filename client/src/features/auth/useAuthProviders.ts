import { useEffect, useState } from 'react';
import { useApi } from '../../api/session';
import type { AuthProviders } from '@samkons/shared';

/**
 * What the server offers; while unknown, or on error, only the password form shows (and
 * no patient eID).
 */
export function useAuthProviders(): AuthProviders {
  const api = useApi();
  const [providers, setProviders] = useState<AuthProviders>({
    password: true,
    oidc: false,
    patientOidc: false,
  });
  useEffect(() => {
    let live = true;
    api
      .providers()
      .then((p) => live && setProviders(p))
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [api]);
  return providers;
}

/** What the patient eID is called when the server does not say: Norway's public eID. */
export const DEFAULT_PATIENT_EID_NAME = 'ID-porten';

/** The patient eID's name for texts such as "Logg inn med ID-porten". */
export const patientEidName = (p: AuthProviders): string =>
  p.patientOidcName ?? DEFAULT_PATIENT_EID_NAME;
