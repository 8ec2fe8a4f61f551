import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { httpStatusOf, type ErrorBody, type ErrorCode } from '@samkons/shared';
import { DomainError } from './domain-error.js';

function body(
  code: ErrorCode,
  message: string,
  details?: ErrorBody['error']['details'],
): ErrorBody {
  return { error: details ? { code, message, details } : { code, message } };
}

/** One place that maps every failure to a JSON 4xx/5xx with a stable code. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) {
      return reply.status(httpStatusOf[err.code]).send(body(err.code, err.message, err.details));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const details = err.validation.map((v) => ({
        path: `${err.validationContext ?? ''}${v.instancePath}`,
        message: v.message ?? 'invalid',
      }));
      return reply.status(400).send(body('bad_request', 'Request validation failed', details));
    }
    const status = err.statusCode ?? 500;
    if (status === 413) return reply.status(413).send(body('payload_too_large', err.message));
    if (status === 429) return reply.status(429).send(body('rate_limited', err.message));
    if (status >= 400 && status < 500) {
      // Fastify's own client errors (malformed JSON, wrong content type...).
      return reply
        .status(status)
        .send(body(status === 404 ? 'not_found' : 'bad_request', err.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(body('internal', 'Internal server error'));
  });

  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(body('not_found', `Route ${request.method} ${request.url} not found`)),
  );
}
