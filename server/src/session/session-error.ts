import type { ErrorCode, SessionErrorReason } from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';

/** A DomainError with a finer reason for the ack, e.g. `consent_required`. */
export class SessionError extends DomainError {
  readonly reason: SessionErrorReason;
  constructor(code: ErrorCode, reason: SessionErrorReason, message: string) {
    super(code, message);
    this.reason = reason;
  }
}
