/** Every machine-readable error code the platform answers with, at HTTP and over NATS. */
export const ERROR_CODES = [
  'bad_request',
  'validation_failed',
  'payload_too_large',
  'unsupported_media_type',
  'unauthorized',
  'forbidden',
  'tenant_unknown',
  'tenant_suspended',
  'not_found',
  'already_exists',
  'version_conflict',
  'rate_limited',
  'timeout',
  'unavailable',
  'internal',
] as const;

/** A code from the closed set above. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** One field-level problem of a rejected payload; `path` is dotted (`quota.ingestionRate`). */
export interface FieldError {
  path: string;
  message: string;
}

/** The error body of every reply, over HTTP and NATS alike. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  fields?: FieldError[];
  /** Finer machine-readable reason within the code (e.g. `too_many_labels`, `max_active_series`). */
  reason?: string;
  /** For `rate_limited`: seconds after which a retry may succeed (HTTP `Retry-After`). */
  retryAfterSeconds?: number;
}

/** Optional detail of a StrataError beyond code and message. */
export interface StrataErrorOptions {
  cause?: unknown;
  reason?: string;
  retryAfterSeconds?: number;
}

/** The HTTP status each code maps to at the gateway. */
export const HTTP_STATUS_OF: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  tenant_unknown: 403,
  tenant_suspended: 403,
  not_found: 404,
  already_exists: 409,
  version_conflict: 409,
  rate_limited: 429,
  timeout: 503,
  unavailable: 503,
  internal: 500,
};

/** Base of every error the platform raises on purpose; the edges map `code` to a status. */
export class StrataError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fields?: FieldError[],
    options?: StrataErrorOptions,
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.reason = options?.reason;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }

  /** Finer reason within `code`, when the raiser gave one. */
  readonly reason?: string;
  /** Seconds to wait before retrying, for `rate_limited`. */
  readonly retryAfterSeconds?: number;

  /** The wire form of this error. */
  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.fields ? { fields: this.fields } : {}),
      ...(this.reason !== undefined ? { reason: this.reason } : {}),
      ...(this.retryAfterSeconds !== undefined
        ? { retryAfterSeconds: this.retryAfterSeconds }
        : {}),
    };
  }

  /** Rebuilds an error received over the wire. */
  static fromBody(body: ErrorBody): StrataError {
    return new StrataError(body.code, body.message, body.fields, {
      reason: body.reason,
      retryAfterSeconds: body.retryAfterSeconds,
    });
  }
}
