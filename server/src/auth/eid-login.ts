import { AssuranceLevel } from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';
import { assuranceFromAcr, type ConfirmedLogin } from './oidc-client.js';

/** What a patient eID (ID-porten) login proved: the person's number, and how strongly. */
export interface EidLogin {
  /** The national identity number (`pid`), or null when the provider gave none. */
  pid: string | null;
  assurance: AssuranceLevel;
}

export const readEidLogin = ({ claims }: ConfirmedLogin): EidLogin => ({
  pid: typeof claims.pid === 'string' && claims.pid !== '' ? claims.pid : null,
  assurance: assuranceFromAcr(claims.acr),
});

const rank = (l: AssuranceLevel) => AssuranceLevel.options.indexOf(l);

/**
 * Why an eID login is not enough, or null when it is. No number, or (when `isExpected` is
 * given) someone other than the expected person: forbidden. The right person at too weak
 * a level: identification_required, since they can log in again at a higher one.
 */
export function eidRefusal(
  login: EidLogin,
  minAssurance: AssuranceLevel,
  isExpected?: (pid: string) => boolean,
): DomainError | null {
  if (login.pid === null) {
    return new DomainError(
      'forbidden',
      'The electronic ID did not state a national identity number',
    );
  }
  if (isExpected && !isExpected(login.pid)) {
    return new DomainError(
      'forbidden',
      'You logged in as someone other than the person this invitation is for',
    );
  }
  if (rank(login.assurance) < rank(minAssurance)) {
    return new DomainError(
      'identification_required',
      `This needs an electronic ID at level ${minAssurance}`,
    );
  }
  return null;
}
