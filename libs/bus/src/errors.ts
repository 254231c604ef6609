import { StrataError } from '@strata/contracts';

/** No instance serves the subject (nobody subscribed): the caller may retry later. */
export class NoRespondersError extends StrataError {
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super('unavailable', `no service answers ${subject}`, undefined, options);
  }
}

/** The reply did not arrive within the request's timeout. */
export class RequestTimeoutError extends StrataError {
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
    options?: { cause?: unknown },
  ) {
    super('timeout', `no reply on ${subject} within ${timeoutMs} ms`, undefined, options);
  }
}

/** The connection is closed or draining, so nothing can be sent. */
export class BusClosedError extends StrataError {
  constructor(message = 'the bus connection is closed', options?: { cause?: unknown }) {
    super('unavailable', message, undefined, options);
  }
}

/** NATS refused this connection's credentials (unknown user, wrong password, or none given). */
export class BusAuthenticationError extends StrataError {
  constructor(
    readonly url: string,
    readonly user: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      'unauthorized',
      `NATS at ${url} refused ${user === undefined ? 'a connection without credentials' : `the credentials of ${user}`}`,
      undefined,
      options,
    );
  }
}

/** The server's permissions forbid this identity to publish or subscribe on a subject. */
export class PermissionDeniedError extends StrataError {
  constructor(
    readonly subject: string,
    readonly operation: 'publish' | 'subscription',
    options?: { cause?: unknown },
  ) {
    super(
      'forbidden',
      `this NATS identity may not ${operation === 'publish' ? 'publish to' : 'subscribe to'} ${subject}`,
      undefined,
      options,
    );
  }
}

/** The peer answered something that is not a Strata reply envelope. */
export class InvalidReplyError extends StrataError {
  constructor(
    readonly subject: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super('internal', `invalid reply on ${subject}: ${detail}`, undefined, options);
  }
}

/** JetStream did not store a published message (no stream captures the subject, timeout, limits). */
export class PublishFailedError extends StrataError {
  constructor(
    readonly subject: string,
    options?: { cause?: unknown },
  ) {
    super(
      'unavailable',
      `JetStream did not store the message on ${subject}: ${describe(options?.cause)}`,
      undefined,
      options,
    );
  }
}

/** A stream or consumer could not be created or updated to the declared spec. */
export class ProvisioningError extends StrataError {
  constructor(
    readonly resource: string,
    options?: { cause?: unknown },
  ) {
    super(
      'internal',
      `could not provision ${resource}: ${describe(options?.cause)}`,
      undefined,
      options,
    );
  }
}

/** A chunked payload could not be put back together (a part is missing, late or inconsistent). */
export class ChunkAssemblyError extends StrataError {
  constructor(detail: string, options?: { cause?: unknown }) {
    super('internal', `chunked payload: ${detail}`, undefined, options);
  }
}

/** A payload would have to be chunked into a stream whose retention deletes acknowledged parts. */
export class ChunkingNotSupportedError extends StrataError {
  constructor(
    readonly stream: string,
    retention: string,
  ) {
    super(
      'payload_too_large',
      `stream ${stream} has ${retention} retention; payloads above max_payload need limits retention`,
    );
  }
}

/** A KV create found the key already present. */
export class KvKeyExistsError extends StrataError {
  constructor(
    readonly bucket: string,
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super('already_exists', `key ${key} already exists in ${bucket}`, undefined, options);
  }
}

/** A KV update named a revision that is no longer the latest. */
export class KvRevisionConflictError extends StrataError {
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly expectedRevision: number,
    options?: { cause?: unknown },
  ) {
    super(
      'version_conflict',
      `key ${key} in ${bucket} is not at revision ${expectedRevision}`,
      undefined,
      options,
    );
  }
}

/** A consumed message failed on its last allowed delivery and was terminated. */
export class DeliveryExhaustedError extends StrataError {
  constructor(
    readonly stream: string,
    readonly seq: number,
    readonly deliveries: number,
    options?: { cause?: unknown },
  ) {
    super(
      'internal',
      `message ${stream}#${seq} failed ${deliveries} deliveries and was terminated: ${describe(options?.cause)}`,
      undefined,
      options,
    );
  }
}

/** A one-line description of any thrown value, for messages and logs. */
export function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
