import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { ErrorBody, IceServers } from '@samkons/shared';
import type { Principal } from '../policy/principal.js';
import { turnCredentials, type TurnSettings } from './credentials.js';
import { bearerSecurity } from '../http/route-kit.js';

export interface IceServerRoutesOptions {
  /** Absent when no TURN server is configured: the route then answers an empty list. */
  turn: TurnSettings | undefined;
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** GET /api/ice-servers: TURN credentials only for someone signed in (staff or invitee). */
export async function registerIceServerRoutes(
  root: FastifyInstance,
  { turn, authenticate }: IceServerRoutesOptions,
): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/ice-servers',
    {
      schema: {
        summary: 'STUN/TURN servers with short-lived credentials for the caller',
        tags: ['media'],
        security: bearerSecurity,
        response: { 200: IceServers, 401: ErrorBody },
      },
    },
    async (request, reply) => {
      const principal = await authenticate(request.headers.authorization);
      // Relayed media is as sensitive as direct media: never cache credentials.
      reply.header('cache-control', 'no-store');
      if (!turn) return { iceServers: [] };
      const identity = principal.kind === 'staff' ? principal.accountId : principal.participantId;
      return turnCredentials(turn, identity);
    },
  );
}
