import { StrataError } from '@strata/contracts';
import { errors, type Msg, type NatsConnection } from '@nats-io/nats-core';
import { type BinaryRequestOptions, type ReplyEnvelope, type RequestOptions } from '../bus';
import { decodeJson, encodeJson, toNatsHeaders } from '../codec';
import {
  BusClosedError,
  InvalidReplyError,
  NoRespondersError,
  PermissionDeniedError,
  RequestTimeoutError,
  describe,
} from '../errors';
import { InFlight } from '../in-flight';
import { type BusObserver } from '../observer';
import { type BusLogger } from '../logger';
import { type ChunkTransfer } from './chunk-transfer';
import { type LocalBinaryHandler, META_HEADER, type Responder } from './responder';

/** Sends JSON and binary requests and unwraps their reply envelopes. */
export class Requester {
  /** Binary requests answered in-process, which the bus waits for when it drains. */
  readonly inFlight = new InFlight();

  constructor(
    private readonly nc: NatsConnection,
    private readonly chunks: ChunkTransfer,
    /** Answers binary requests this process serves itself, without a NATS round trip. */
    private readonly responder: Responder,
    private readonly log: BusLogger,
    private readonly defaultTimeoutMs: number,
    private readonly observer: BusObserver = {},
  ) {}

  /** Sends a JSON request and unwraps the reply envelope. */
  request<Req, Res>(subject: string, payload: Req, options?: RequestOptions): Promise<Res> {
    const local = this.responder.localHandler(subject);
    if (local) {
      // The same isolation of the request as over the wire: the handler gets its own copy.
      const copy = decodeJson<unknown>(encodeJson(payload));
      return this.answerLocally<Res>(subject, local.inFlight, options?.timeoutMs, () =>
        local.handler(copy, { subject, headers: { ...options?.headers } }),
      );
    }
    return this.exchange<Res>(subject, encodeJson(payload), options?.headers, options?.timeoutMs);
  }

  /** Sends raw bytes with JSON metadata in the `Strata-Meta` header and unwraps the JSON reply envelope. */
  requestBinary<Meta, Res>(
    subject: string,
    payload: Uint8Array,
    options: BinaryRequestOptions<Meta>,
  ): Promise<Res> {
    const local = this.responder.localBinaryHandler(subject);
    if (local) return this.callLocal<Meta, Res>(subject, local, payload, options);
    const headers = {
      ...options.headers,
      [META_HEADER]: encodeURIComponent(JSON.stringify(options.meta ?? null)),
    };
    return this.exchange<Res>(subject, payload, headers, options.timeoutMs);
  }

  private async callLocal<Meta, Res>(
    subject: string,
    local: LocalBinaryHandler,
    payload: Uint8Array,
    options: BinaryRequestOptions<Meta>,
  ): Promise<Res> {
    // The same isolation as over the wire: the handler gets its own copy of the metadata.
    const meta = JSON.parse(JSON.stringify(options.meta ?? null)) as unknown;
    return this.answerLocally<Res>(subject, local.inFlight, options.timeoutMs, () =>
      local.handler(payload, { subject, headers: { ...options.headers }, meta }),
    );
  }

  private async answerLocally<Res>(
    subject: string,
    inFlight: InFlight,
    timeout: number | undefined,
    call: () => Promise<unknown>,
  ): Promise<Res> {
    const timeoutMs = timeout ?? this.defaultTimeoutMs;
    const started = performance.now();
    const work = this.responder.run(subject, call);
    inFlight.track(work);
    this.inFlight.track(work);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RequestTimeoutError(subject, timeoutMs)), timeoutMs);
    });
    try {
      const envelope = await Promise.race([work, timedOut]);
      this.observer.served?.(
        subject,
        envelope.error ? envelope.error.code : 'ok',
        (performance.now() - started) / 1000,
      );
      if (envelope.error) throw StrataError.fromBody(envelope.error);
      return envelope.ok as Res;
    } finally {
      clearTimeout(timer);
    }
  }

  private async exchange<Res>(
    subject: string,
    body: Uint8Array,
    headers: Record<string, string> | undefined,
    timeout: number | undefined,
  ): Promise<Res> {
    const timeoutMs = timeout ?? this.defaultTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let data: Uint8Array;
    try {
      const reply = await this.chunks.sendParts(subject, body, headers, deadline);
      data = await this.chunks.receiveParts(reply, deadline);
    } catch (error) {
      throw mapRequestError(error, subject, timeoutMs);
    }
    let envelope: ReplyEnvelope<Res>;
    try {
      envelope = decodeJson<ReplyEnvelope<Res>>(data);
    } catch (error) {
      throw new InvalidReplyError(subject, 'not JSON', { cause: error });
    }
    if (typeof envelope !== 'object' || envelope === null)
      throw new InvalidReplyError(subject, 'not an envelope');
    if (envelope.error) throw StrataError.fromBody(envelope.error);
    return envelope.ok as Res;
  }

  /** Sends one request and collects the replies of every instance that answers within `maxWaitMs`. */
  async requestAll<Req, Res>(
    subject: string,
    payload: Req,
    options?: { maxWaitMs?: number; headers?: Record<string, string> },
  ): Promise<Array<ReplyEnvelope<Res>>> {
    const maxWaitMs = options?.maxWaitMs ?? 1_000;
    const deadline = Date.now() + maxWaitMs;
    const replies: Array<ReplyEnvelope<Res>> = [];
    let iterator: AsyncIterable<Msg>;
    try {
      iterator = await this.nc.requestMany(subject, encodeJson(payload), {
        strategy: 'timer',
        maxWait: maxWaitMs,
        headers: toNatsHeaders(options?.headers),
      });
      for await (const msg of iterator) {
        try {
          replies.push(
            decodeJson<ReplyEnvelope<Res>>(
              await this.chunks.receiveParts(msg, Math.max(deadline, Date.now() + 1_000)),
            ),
          );
        } catch (error) {
          this.log.warn(`ignored an unreadable reply on ${subject}: ${describe(error)}`);
        }
      }
    } catch (error) {
      const mapped = mapRequestError(error, subject, maxWaitMs);
      // Nobody answering is an empty answer here, not a failure.
      if (mapped instanceof NoRespondersError) return replies;
      throw mapped;
    }
    return replies;
  }
}

/** Maps nats.js failures of a request to the platform's error classes. */
export function mapRequestError(error: unknown, subject: string, timeoutMs: number): StrataError {
  if (error instanceof StrataError) return error;
  if (error instanceof errors.NoRespondersError)
    return new NoRespondersError(subject, { cause: error });
  if (error instanceof errors.RequestError && error.isNoResponders())
    return new NoRespondersError(subject, { cause: error });
  if (error instanceof errors.TimeoutError)
    return new RequestTimeoutError(subject, timeoutMs, { cause: error });
  const denied = error instanceof errors.RequestError ? error.cause : error;
  if (denied instanceof errors.PermissionViolationError)
    return new PermissionDeniedError(
      denied.subject || subject,
      denied.operation === 'subscription' ? 'subscription' : 'publish',
      { cause: error },
    );
  if (
    error instanceof errors.ClosedConnectionError ||
    error instanceof errors.DrainingConnectionError
  ) {
    return new BusClosedError(`cannot request ${subject}: the connection is closed or draining`, {
      cause: error,
    });
  }
  return new BusClosedError(`request on ${subject} failed: ${describe(error)}`, { cause: error });
}
