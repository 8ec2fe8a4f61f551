import { ErrorBody, ErrorCode, httpStatusOf } from '@samkons/shared';

/** Failures that never reach the server's error handler. */
export type ClientErrorCode = 'network_error' | 'invalid_response';
export type ApiErrorCode = ErrorCode | ClientErrorCode;
export type FieldProblem = { path: string; message: string };

/** Every failed API call becomes one of these: a stable code plus a message for logs. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  /** HTTP status, 0 when no response arrived. */
  readonly status: number;
  readonly details: FieldProblem[];

  constructor(code: ApiErrorCode, message: string, status: number, details: FieldProblem[] = []) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export const isApiError = (e: unknown): e is ApiError => e instanceof ApiError;

/** Code for a status when the body is not the shared ErrorBody (proxy pages, HTML 502...). */
export function codeForStatus(status: number): ErrorCode {
  const exact = (Object.keys(httpStatusOf) as ErrorCode[]).find(
    (code) => httpStatusOf[code] === status && code !== 'invalid_state',
  );
  if (exact) return exact;
  if (status >= 500) return 'internal';
  return 'bad_request';
}

/** Maps a failed HTTP response body (already read as text) to an ApiError. */
export function errorFromResponse(status: number, text: string): ApiError {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success) {
    const { code, message, details } = parsed.data.error;
    return new ApiError(code, message, status, details ?? []);
  }
  return new ApiError(codeForStatus(status), `HTTP ${status}`, status);
}

/** i18n key for an error code; every code has a plain-language message. */
export const errorMessageKey = (e: unknown) =>
  `errors.${isApiError(e) ? e.code : 'internal'}` as const;
