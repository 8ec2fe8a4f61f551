import type { ErrorCode, SessionErrorReason } from '@samkons/shared';
import { DomainError } from '../http/domain-error.js';

/**
 * A DomainError with a finer reason for the ack, e.g. `consent_required`; `wrong_node`
 * carries the owner node's public URL for the client to reconnect to.
 */
export class SessionError extends DomainError {
  readonly reason: SessionErrorReason;
  readonly redirectUrl: string | undefined;
  constructor(
    code: ErrorCode,
    reason: SessionErrorReason,
    message: string,
    opts: { redirectUrl?: string } = {},
  ) {
    super(code, message);
    this.reason = reason;
    this.redirectUrl = opts.redirectUrl;
  }
}
