import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { normalizeIP } from '@fastify/rate-limit';
import { DomainError } from './domain-error.js';

export interface AuthRateLimits {
  /** Attempts per credential (account, invite link, refresh token) and client address. */
  perCredentialPerMinute: number;
  /** All login-like attempts per client address (a hospital NAT shares one). */
  perAddressPerMinute: number;
}

/** What a login-like route is keyed on: the username, or a hash of the presented token. */
export type CredentialOf = (req: FastifyRequest) => string | undefined;

/**
 * Rate limits for the routes that take a secret (password login, refresh, invite exchange,
 * eID): per credential and address, so staff behind one NAT do not lock each other out and
 * the right password of another account still works; and a wider limit per address, so one
 * client cannot spray guesses over many accounts. Runs as a preHandler, after the body is
 * parsed and validated. In memory per node (several nodes: each counts its own).
 *
 * Register `@fastify/rate-limit` on `app` first.
 */
export function authRateLimiter(
  app: FastifyInstance,
  limits: AuthRateLimits,
): (credentialOf?: CredentialOf) => preHandlerAsyncHookHandler {
  const address = (req: FastifyRequest) => normalizeIP(req.ip);
  const perAddress = app.createRateLimit({
    max: limits.perAddressPerMinute,
    timeWindow: 60_000,
    keyGenerator: (req) => `address|${address(req)}`,
  });
  const hashed = (credential: string) =>
    createHash('sha256').update(credential.toLowerCase()).digest('base64url').slice(0, 22);

  return (credentialOf) => {
    // One store per route: an invite token and a username never share a counter.
    const perCredential = app.createRateLimit({
      max: limits.perCredentialPerMinute,
      timeWindow: 60_000,
      // The credential is hashed: usernames and tokens never sit in the limiter's memory.
      keyGenerator: (req) => `${hashed(credentialOf?.(req) ?? '')}|${address(req)}`,
    });
    return async function authRateLimit(req, reply) {
      for (const check of [perAddress, perCredential]) {
        const limit = await check(req);
        if (!limit.isAllowed && limit.isExceeded) {
          void reply.header('retry-after', String(limit.ttlInSeconds));
          throw new DomainError(
            'rate_limited',
            `Too many attempts; try again in ${limit.ttlInSeconds} s`,
          );
        }
      }
    };
  };
}
