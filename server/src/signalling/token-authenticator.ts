import { SessionHandshakeAuth } from '@samkons/shared';
import type { VerifiedSession } from '../auth/auth-service.js';
import { DomainError } from '../http/domain-error.js';
import type { AuthResult, SocketAuthenticator } from './authenticator.js';

/**
 * Admits a socket with the session token the REST API issues (login + `/session`, or an
 * invite exchange), sent as `handshake.auth.token`. The principal is bound to the token's
 * consultation and participant: every room, transport and producer it touches is that
 * consultation's, so a token for A can never act in B.
 */
export function tokenAuthenticator(
  verify: (token: string) => Promise<VerifiedSession>,
): SocketAuthenticator {
  return {
    async authenticate({ auth }): Promise<AuthResult> {
      if (typeof auth.token !== 'string') {
        return { ok: false, code: 'unauthenticated', message: 'A session token is required' };
      }
      const parsed = SessionHandshakeAuth.safeParse(auth);
      if (!parsed.success) {
        return { ok: false, code: 'bad_request', message: 'Invalid handshake' };
      }
      let v: VerifiedSession;
      try {
        v = await verify(parsed.data.token);
      } catch (err) {
        if (err instanceof DomainError && err.code === 'unauthenticated') {
          return { ok: false, code: 'unauthenticated', message: err.message };
        }
        throw err;
      }
      // A token minted before the booking was cancelled enters nothing, not even the lobby.
      if (v.consultationStatus === 'cancelled') {
        return { ok: false, code: 'forbidden', message: 'The consultation was cancelled' };
      }
      const wanted = parsed.data.consultationId;
      if (wanted !== undefined && wanted !== v.participant.consultationId) {
        return {
          ok: false,
          code: 'forbidden',
          message: 'This token belongs to another consultation',
        };
      }
      return {
        ok: true,
        principal: {
          displayName: v.participant.name,
          role: v.participant.role,
          organisation: v.participant.organisation,
          grants: v.grants,
          session: {
            token: parsed.data.token,
            assuranceLevel: v.assuranceLevel,
            accountId: v.accountId,
          },
        },
      };
    },
  };
}
