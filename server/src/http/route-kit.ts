import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ErrorBody, lineText } from '@samkons/shared';
import type { RequestMeta } from '../auth/auth-service.js';

/** The error responses every API route may give, for its OpenAPI schema. */
export const errorResponses = {
  400: ErrorBody,
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
};

/** OpenAPI security for routes that take a bearer token (scheme declared in app.ts). */
export const bearerSecurity = [{ bearerAuth: [] }];

/** What the audit log records about where a request came from. */
export const requestMeta = (req: FastifyRequest): RequestMeta => ({
  clientAddress: req.ip ?? null,
});

/** What an OpenID provider appends to the redirect (code, state, iss, or error). */
export const OidcCallbackQuery = z.record(lineText.max(64), lineText.max(4096));
