import type { ErrorCode } from '@samkons/shared';

/** An expected failure with a stable code; the HTTP error handler and socket acks map it. */
export class DomainError extends Error {
  readonly code: ErrorCode;
  readonly details: { path: string; message: string }[] | undefined;

  constructor(code: ErrorCode, message: string, details?: { path: string; message: string }[]) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string) => new DomainError('not_found', `${what} not found`);
export const forbidden = (message = 'Not allowed') => new DomainError('forbidden', message);
