import { useEffect, useState } from 'react';
import { useApi } from '../../api/session';
import type { AuthProviders } from '@samkons/shared';

/** What the server offers; while unknown, or on error, only the password form shows. */
export function useAuthProviders(): AuthProviders {
  const api = useApi();
  const [providers, setProviders] = useState<AuthProviders>({ password: true, oidc: false });
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
