import { z } from 'zod';

/**
 * Stable error codes shared by the HTTP API and socket acks. Clients switch on the code;
 * the message is for people and logs.
 */
export const ErrorCode = z.enum([
  'bad_request',
  'unauthenticated',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'rate_limited',
  'invalid_state',
  /** The invite link is not enough: log in with the patient eID (ID-porten) first. */
  'identification_required',
  /**
   * Try again shortly: the node is draining for a restart, or its media worker is being
   * replaced. Clients retry with backoff; never a reason to give up.
   */
  'unavailable',
  'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    /** Per-field problems for validation errors. */
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export const httpStatusOf: Record<ErrorCode, number> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  invalid_state: 409,
  identification_required: 403,
  unavailable: 503,
  internal: 500,
};
