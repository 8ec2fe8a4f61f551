import { createHmac } from 'node:crypto';
import type { IceServers } from '@samkons/shared';

export interface TurnSettings {
  urls: string[];
  /** coturn's `static-auth-secret` (use-auth-secret), shared with the TURN server only. */
  secret: string;
  ttlSeconds: number;
}

/**
 * Time-limited TURN credentials in coturn's shared-secret scheme ("TURN REST API"):
 * username = "<unix expiry>:<identity>", password = base64(HMAC-SHA1(secret, username)).
 * The TURN server checks them with the same secret and needs no user database, and a
 * leaked credential dies at the expiry.
 */
export function turnCredentials(
  settings: TurnSettings,
  identity: string,
  now: Date = new Date(),
): IceServers {
  const expiry = Math.floor(now.getTime() / 1000) + settings.ttlSeconds;
  // The identity goes into the username, so keep it free of the ':' separator.
  const username = `${expiry}:${identity.replaceAll(':', '_')}`;
  const credential = createHmac('sha1', settings.secret).update(username).digest('base64');
  return {
    iceServers: [{ urls: settings.urls, username, credential }],
    expiresAt: new Date(expiry * 1000).toISOString(),
  };
}
