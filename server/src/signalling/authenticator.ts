import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  DevHandshakeAuth,
  type AssuranceLevel,
  type ErrorCode,
  type Role,
  type SessionGrants,
} from '@samkons/shared';

/** What the signalling layer knows about a connection once it is authenticated. */
export interface SocketPrincipal {
  displayName: string;
  /** Shown beside the name; host actions never decide on it, only on `grants`. */
  role?: Role;
  organisation?: string | null;
  /** Grants at the handshake; refreshed from current consent when admitted. */
  grants: SessionGrants;
  /**
   * Token sessions only (absent for development rooms): the token is re-verified at
   * admission, so grants follow the consent in force; the rest goes to the audit log.
   */
  session?: { token: string; assuranceLevel: AssuranceLevel; accountId: string | null };
  /** Set by the signalling server from the handshake, for the audit log. */
  clientAddress?: string;
}

/** The parts of a socket.io handshake an authenticator may look at. */
export interface SocketHandshake {
  auth: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  address: string;
}

export type AuthResult =
  | { ok: true; principal: SocketPrincipal }
  | {
      ok: false;
      code: Extract<ErrorCode, 'unauthenticated' | 'forbidden' | 'bad_request'>;
      message: string;
    };

/**
 * Turns a handshake into a principal: the session-token authenticator
 * (token-authenticator.ts) in production, the development one below when enabled.
 */
export interface SocketAuthenticator {
  authenticate(handshake: SocketHandshake): Promise<AuthResult>;
}

/**
 * Development only (SIGNALLING_DEV_ROOMS=true): anyone may join any room by name with full
 * media grants and no moderation rights. Each connection is a new participant.
 */
export const devRoomAuthenticator: SocketAuthenticator = {
  async authenticate({ auth }) {
    const parsed = DevHandshakeAuth.safeParse(auth);
    if (!parsed.success) {
      const message = parsed.error.issues
        .map((i) => `${i.path.join('.')}: ${i.message}`)
        .join('; ');
      return { ok: false, code: 'bad_request', message: `Invalid handshake: ${message}` };
    }
    return {
      ok: true,
      principal: {
        displayName: parsed.data.displayName,
        grants: {
          consultationId: parsed.data.room,
          participantId: randomUUID(),
          roomJoin: true,
          canPublish: true,
          canSubscribe: true,
          canPublishSources: ['camera', 'microphone', 'screen'],
          canAdmit: false,
          canModerate: false,
          canEnd: false,
          canConsent: false,
          canRecordVerbalConsent: false,
        },
      },
    };
  },
};

/** Tries each authenticator in turn; the first success wins, else the first failure. */
export function firstOf(...authenticators: SocketAuthenticator[]): SocketAuthenticator {
  return {
    async authenticate(handshake) {
      let first: AuthResult | undefined;
      for (const a of authenticators) {
        const result = await a.authenticate(handshake);
        if (result.ok) return result;
        first ??= result;
      }
      return (
        first ?? { ok: false, code: 'unauthenticated', message: 'No way to sign in is configured' }
      );
    },
  };
}
