import { StrataError } from '@strata/contracts';

/** No object exists at the key (Thanos' `IsObjNotFoundErr`). */
export class ObjectNotFoundError extends StrataError {
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super('not_found', `object ${key} not found`, undefined, options);
  }
}

/** The key is not a valid object key (absolute, `..`, empty segment...). */
export class InvalidObjectKeyError extends StrataError {
  constructor(
    readonly key: string,
    why: string,
  ) {
    super('bad_request', `invalid object key ${JSON.stringify(key)}: ${why}`, undefined, {
      reason: 'invalid_object_key',
    });
  }
}

/**
 * The filesystem bucket cannot hold `a` and `a/b` at once (a path is a file or a folder), which
 * S3 can; block layouts never need both.
 */
export class ObjectKeyConflictError extends StrataError {
  constructor(
    readonly key: string,
    conflictsWith: string,
  ) {
    super(
      'already_exists',
      `object ${key} conflicts with ${conflictsWith} in a filesystem bucket`,
      undefined,
      {
        reason: 'object_key_conflict',
      },
    );
  }
}

/** The backing store failed or refused (unreachable, access denied, missing bucket). */
export class BucketUnavailableError extends StrataError {
  constructor(message: string, options?: { cause?: unknown; reason?: string }) {
    super('unavailable', message, undefined, options);
  }
}

/** True when `error` says the object does not exist. */
export function isObjectNotFound(error: unknown): error is ObjectNotFoundError {
  return error instanceof ObjectNotFoundError;
}
