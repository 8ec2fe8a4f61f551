import { z } from 'zod';

/*
 * Response shapes the client needs that shared/ does not define (yet). Each is small and
 * tolerant; when shared/ gains an equivalent, import it in endpoints.ts and delete it here.
 */

/** Which login methods the server offers (GET /api/auth/providers). */
export const AuthProviders = z.object({
  password: z.boolean().default(true),
  oidc: z.boolean().default(false),
  /** Button label hint, e.g. "HelseID". */
  oidcName: z.string().optional(),
});
export type AuthProviders = z.infer<typeof AuthProviders>;
