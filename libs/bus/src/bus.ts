import { type ErrorBody } from '@strata/contracts';
import { type DeliveryExhaustedError } from './errors';

/** Options of a request/reply call. */
export interface RequestOptions {
  /** How long to wait for the reply; the caller gets a `timeout` StrataError after it. */
  timeoutMs?: number;
  /** Extra NATS headers (request id, tenant, ...). */
  headers?: Record<string, string>;
}

/** What a handler of a request learns besides the payload. */
export interface RequestMeta {
  subject: string;
  headers: Record<string, string>;
}

/** How a JSON request subject is served. */
export interface ServeOptions {
  /**
   * Requests from this process are answered in-process, without the NATS round trip or the JSON of
   * the reply (the caller gets the handler's reply object itself; the request is still copied as
   * JSON). Only for handlers whose replies are plain JSON data built for each request, on hot read
   * paths such as the Store API of partitions this process owns.
   */
  inProcess?: boolean;
}

/** A JSON request handler; a thrown StrataError becomes an error reply with its code. */
export type RequestHandler<Req, Res> = (payload: Req, meta: RequestMeta) => Promise<Res>;

/** Options of a binary request: the JSON `meta` travels in the `Strata-Meta` header, next to the bytes. */
export interface BinaryRequestOptions<Meta> extends RequestOptions {
  meta: Meta;
}

/** What a binary handler learns besides the bytes: the decoded JSON metadata and the headers. */
export interface BinaryRequestMeta<Meta> extends RequestMeta {
  meta: Meta;
}

/** A binary request handler: raw bytes in, JSON reply out; errors as for `RequestHandler`. */
export type BinaryRequestHandler<Meta, Res> = (
  payload: Uint8Array,
  meta: BinaryRequestMeta<Meta>,
) => Promise<Res>;

/** A JetStream stream the platform owns, declared in code and created or updated at start. */
export interface StreamSpec {
  name: string;
  subjects: string[];
  /** `limits` keeps messages by age/size, `workqueue` deletes them on ack. */
  retention?: 'limits' | 'workqueue' | 'interest';
  maxAgeMs?: number;
  maxBytes?: number;
  /** Window in which a repeated message id is dropped as a duplicate. */
  duplicateWindowMs?: number;
  replicas?: number;
  storage?: 'file' | 'memory';
}

/** The acknowledgement of a JetStream publish. */
export interface PublishAck {
  stream: string;
  seq: number;
  /** True when JetStream had already stored a message with this id. */
  duplicate: boolean;
}

/** A durable consumer of a stream. */
export interface ConsumerSpec {
  stream: string;
  durableName: string;
  filterSubjects?: string[];
  /** Redeliveries before a message is given up (terminated and reported). */
  maxDeliver?: number;
  ackWaitMs?: number;
  /** Where a new consumer starts. */
  deliverPolicy?: 'all' | 'new' | { startSeq: number };
  /**
   * `explicit` (default): every message is acknowledged on its own. `cumulative`: JetStream's
   * AckAll; acks are gathered and only the newest acked message of each turn of the event loop is
   * sent, which settles every earlier one (a nak'ed one too), so it suits handlers that settle
   * messages in stream order. Fixed when the consumer is created: JetStream cannot change it.
   */
  ackPolicy?: 'explicit' | 'cumulative';
}

/** A message handed to a consumer; exactly one of ack/nak/term must be called. */
export interface ConsumedMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  headers: Record<string, string>;
  deliveryCount: number;
  /**
   * The consumer's count of deliveries, this one included (redeliveries count too): consecutive
   * on one consumer, so a gap means a delivery was lost on the way, e.g. over a reconnect.
   */
  deliverySeq: number;
  json<T>(): T;
  ack(): void;
  /** Ask for redelivery, after `delayMs` when given. */
  nak(delayMs?: number): void;
  /** Never redeliver: the message is poison. */
  term(reason?: string): void;
}

/** How a consumer processes what it pulls. */
export interface ConsumeOptions {
  /** One message at a time in stream order, redeliveries included (max_ack_pending 1). */
  ordered?: boolean;
  /** Handlers running at once when not ordered (default 16). */
  concurrency?: number;
  /**
   * Messages pulled ahead when not ordered (default twice `concurrency`): with large messages a
   * smaller pull keeps the server from pushing more than the handlers can take into the socket.
   */
  prefetch?: number;
  /** Delay before a failed message is redelivered; exponential from 500 ms up to 30 s when omitted. */
  retryDelayMs?: (deliveryCount: number) => number;
  /** Told about every message given up after its last allowed delivery; the default logs it. */
  onGiveUp?: (error: DeliveryExhaustedError, message: ConsumedMessage) => void;
}

/** A message seen by `Bus.follow`: nothing to settle, the follower only reads. */
export interface FollowedMessage {
  subject: string;
  seq: number;
  data: Uint8Array;
  json<T>(): T;
}

/** How `Bus.follow` reports trouble. */
export interface FollowOptions {
  /** Called when following (re)starts: messages may have been missed, so derived state is stale. */
  onGap: () => void;
  /** Wait before retrying a missing stream or a broken feed (default 5 s). */
  retryMs?: number;
  /**
   * Stream sequence to start from, asked at every (re)start so a follower resumes where it left
   * off (1 or less: the whole stream); new messages only when omitted.
   */
  from?: () => number;
}

/** Something that can be stopped, like a subscription or a consumer loop. */
export interface Stoppable {
  stop(): Promise<void>;
}

/**
 * The platform's only way to talk to other services. JSON on control paths, bytes on hot paths;
 * payloads above the server's max_payload are split and reassembled here, not by callers.
 */
export interface Bus {
  /** Sends a JSON request and returns the JSON reply, or throws the StrataError the server replied with. */
  request<Req, Res>(subject: string, payload: Req, options?: RequestOptions): Promise<Res>;
  /** Serves JSON requests in a queue group, so each request reaches one instance. */
  serve<Req, Res>(
    subject: string,
    queueGroup: string | null,
    handler: RequestHandler<Req, Res>,
    options?: ServeOptions,
  ): Stoppable;
  /**
   * Sends raw bytes (no JSON, no base64) with JSON metadata in a header and returns the JSON reply;
   * chunked above max_payload like `request`.
   */
  requestBinary<Meta, Res>(
    subject: string,
    payload: Uint8Array,
    options: BinaryRequestOptions<Meta>,
  ): Promise<Res>;
  /** Serves binary requests (see `requestBinary`); the reply is the usual JSON envelope. */
  serveBinary<Meta, Res>(
    subject: string,
    queueGroup: string | null,
    handler: BinaryRequestHandler<Meta, Res>,
  ): Stoppable;
  /** Creates or updates a stream to match `spec` (idempotent). */
  ensureStream(spec: StreamSpec): Promise<void>;
  /** Publishes to JetStream and resolves once the stream stored it; `msgId` deduplicates retries. */
  publish(
    subject: string,
    data: Uint8Array | object,
    options?: { msgId?: string; headers?: Record<string, string> },
  ): Promise<PublishAck>;
  /** Consumes a durable consumer (created or updated to `spec`) until stopped. */
  consume(
    spec: ConsumerSpec,
    handler: (message: ConsumedMessage) => Promise<void>,
    options?: ConsumeOptions,
  ): Promise<Stoppable>;
  /** Asks every instance serving `subject` (no queue group) and returns each reply envelope received within `maxWaitMs`. */
  requestAll<Req, Res>(
    subject: string,
    payload: Req,
    options?: { maxWaitMs?: number; headers?: Record<string, string> },
  ): Promise<Array<ReplyEnvelope<Res>>>;
  /** Follows `stream` (from now on, or from `options.from`) without a durable consumer, in order, until stopped. */
  follow(
    stream: string,
    onMessage: (message: FollowedMessage) => void,
    options: FollowOptions,
  ): Stoppable;
  /** Stream sequence of the newest message on `subject`, 0 when there is none. */
  lastSequence(stream: string, subject: string): Promise<number>;
  /** Deletes the durable consumers of `stream` whose names `matches` accepts. */
  removeConsumers(stream: string, matches: (name: string) => boolean): Promise<void>;
  /** Messages a durable consumer has not settled yet (pending plus unacked). */
  consumerBacklog(stream: string, durable: string): Promise<number>;
  /** Stream sequence at or below which a durable consumer has acknowledged everything (never redelivered). */
  consumerAckFloor(stream: string, durable: string): Promise<number>;
  /** The server's largest accepted message; the bus chunks anything bigger. */
  readonly maxPayload: number;
  /** Resolves once the server has processed everything sent so far, such as new subscriptions. */
  flush(): Promise<void>;
  /** True while connected to the server. */
  isConnected(): boolean;
  /** Stops serving, lets in-flight work finish, flushes and closes. */
  drain(): Promise<void>;
}

/** The reply envelope on the wire: exactly one of `ok` or `error`. */
export type ReplyEnvelope<T> = { ok: T; error?: undefined } | { ok?: undefined; error: ErrorBody };
