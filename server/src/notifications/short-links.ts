import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Database } from '../db/database.js';
import { invitesRepo } from '../db/invites-repo.js';
import type { AuthService } from '../auth/auth-service.js';

/**
 * Short personal links for messages: `/m/<code>`, about 50 characters instead of a
 * 370-character signed token, so an SMS stays one readable line. The code is the invite's
 * random id (122 bits, base64url), as unguessable as the signed link; the route signs a
 * fresh invite link for that invite and redirects to it, so revoking the invite kills the
 * short link too, and the pre-join then tells the person what state the link is in.
 */
export function shortCode(inviteId: string): string {
  return Buffer.from(inviteId.replace(/-/g, ''), 'hex').toString('base64url');
}

/** The invite id a code names, or null when the code cannot be one. */
export function inviteIdOf(code: string): string | null {
  if (!/^[A-Za-z0-9_-]{22}$/.test(code)) return null;
  const hex = Buffer.from(code, 'base64url').toString('hex');
  if (hex.length !== 32) return null;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export const shortLinkPath = (inviteId: string) => `/m/${shortCode(inviteId)}`;

/** Where a link that names nothing goes: the pre-join, which says the link does not work. */
const UNKNOWN = '/join/ukjend-lenkje';

export async function registerShortLinks(
  app: FastifyInstance,
  deps: { db: Database; auth: Pick<AuthService, 'inviteTokenFor'> },
): Promise<void> {
  app.get(
    '/m/:code',
    {
      schema: {
        hide: true,
        params: z.object({ code: z.string().max(64) }),
      },
    },
    async (req, reply) => {
      const { code } = req.params as { code: string };
      // Personal links: never cached, never sent on as a referrer.
      void reply.header('cache-control', 'no-store').header('referrer-policy', 'no-referrer');
      const inviteId = inviteIdOf(code);
      const invite = inviteId ? await invitesRepo.byId(deps.db, inviteId) : undefined;
      if (!invite) return reply.redirect(UNKNOWN, 302);
      // The signed link of exactly this invite, revoked or not: the pre-join asks for its
      // state and says why a revoked one no longer works (cancelled, or this person was
      // taken off the meeting). Nothing is written here.
      const token = deps.auth.inviteTokenFor({
        inviteId: invite.id,
        participantId: invite.participantId,
        consultationId: invite.consultationId,
      });
      return reply.redirect(`/join/${token}`, 302);
    },
  );
}
