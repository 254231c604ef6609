import { StrataError, type ErrorBody } from '@strata/contracts';
import { createInbox, Empty, errors, type Msg, type NatsConnection } from '@nats-io/nats-core';
import {
  type BinaryRequestHandler,
  type BinaryRequestOptions,
  type ReplyEnvelope,
  type RequestHandler,
  type RequestOptions,
  type Stoppable,
} from './bus';
import {
  CHUNK_HEADER_BUDGET,
  ChunkHeaders,
  formatChunkPart,
  isChunkHeader,
  joinParts,
  newChunkId,
  parseChunkPart,
  splitPayload,
} from './chunking';
import { decodeJson, encodeJson, fromNatsHeaders, headerBytes, toNatsHeaders } from './codec';
import {
  BusClosedError,
  ChunkAssemblyError,
  InvalidReplyError,
  NoRespondersError,
  PermissionDeniedError,
  RequestTimeoutError,
  describe,
} from './errors';
import { InFlight } from './in-flight';
import { type BusObserver } from './observer';
import { type BusLogger } from './logger';

/** How long one side of a chunked exchange waits for the other before giving the exchange up. */
const CHUNK_IDLE_MS = 30_000;

/** Header of a binary request that carries its JSON metadata (URI-encoded, so any text is header-safe). */
export const META_HEADER = 'Strata-Meta';

function isBusHeader(key: string): boolean {
  return isChunkHeader(key) || key.toLowerCase() === 'strata-meta';
}

/** A binary handler this process serves, reachable without a NATS round trip. */
interface LocalBinaryHandler {
  readonly handler: BinaryRequestHandler<unknown, unknown>;
  readonly inFlight: InFlight;
}

/** JSON request/reply over core NATS, with transparent chunking of payloads above max_payload. */
export class RequestReply {
  readonly inFlight = new InFlight();
  /**
   * Binary subjects this process serves itself. A request on one is answered in-process, as a
   * monolith calls its own components (Mimir's monolithic mode does the same): the body is not
   * copied through nats-server twice. Other processes still reach the subject over NATS.
   */
  private readonly localBinary = new Map<string, LocalBinaryHandler>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly log: BusLogger,
    private readonly defaultTimeoutMs: number,
    private readonly observer: BusObserver = {},
    /** Prefix of the inboxes of chunk exchanges, the connection's own (its identity may subscribe only there). */
    private readonly inboxPrefix?: string,
  ) {}

  /** Sends a JSON request and unwraps the reply envelope. */
  request<Req, Res>(subject: string, payload: Req, options?: RequestOptions): Promise<Res> {
    return this.exchange<Res>(subject, encodeJson(payload), options?.headers, options?.timeoutMs);
  }

  /** Sends raw bytes with JSON metadata in the `Strata-Meta` header and unwraps the JSON reply envelope. */
  requestBinary<Meta, Res>(
    subject: string,
    payload: Uint8Array,
    options: BinaryRequestOptions<Meta>,
  ): Promise<Res> {
    const local = this.localBinary.get(subject);
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
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    // The same isolation as over the wire: the handler gets its own copy of the metadata.
    const meta = JSON.parse(JSON.stringify(options.meta ?? null)) as unknown;
    const started = performance.now();
    const work = this.run(subject, () =>
      local.handler(payload, { subject, headers: { ...options.headers }, meta }),
    );
    local.inFlight.track(work);
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
      const reply = await this.sendParts(subject, body, headers, deadline);
      data = await this.receiveParts(reply, deadline);
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
              await this.receiveParts(msg, Math.max(deadline, Date.now() + 1_000)),
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

  /** Subscribes `handler` to `subject`; every reply is an envelope, whatever the handler does. */
  serve<Req, Res>(
    subject: string,
    queueGroup: string | null,
    handler: RequestHandler<Req, Res>,
  ): Stoppable {
    return this.subscribe(subject, queueGroup, (msg, data) => this.invoke(msg, data, handler));
  }

  /** Subscribes a binary `handler` to `subject`: the payload stays bytes, the metadata comes from `Strata-Meta`. */
  serveBinary<Meta, Res>(
    subject: string,
    queueGroup: string | null,
    handler: BinaryRequestHandler<Meta, Res>,
  ): Stoppable {
    const remote = this.subscribe(subject, queueGroup, (msg, data) =>
      this.invokeBinary(msg, data, handler),
    );
    if (this.localBinary.has(subject)) return remote;
    const local: LocalBinaryHandler = {
      handler: handler as BinaryRequestHandler<unknown, unknown>,
      inFlight: new InFlight(),
    };
    this.localBinary.set(subject, local);
    return {
      stop: async () => {
        if (this.localBinary.get(subject) === local) this.localBinary.delete(subject);
        await remote.stop();
        await local.inFlight.idle();
      },
    };
  }

  private subscribe(
    subject: string,
    queueGroup: string | null,
    call: (msg: Msg, data: Uint8Array) => Promise<ReplyEnvelope<unknown>>,
  ): Stoppable {
    const inFlight = new InFlight();
    const sub = this.nc.subscribe(subject, {
      ...(queueGroup ? { queue: queueGroup } : {}),
      callback: (err, msg) => {
        if (err) {
          this.log.error(`subscription ${subject} failed`, err);
          return;
        }
        const work = this.handle(subject, msg, call);
        inFlight.track(work);
        this.inFlight.track(work);
      },
    });
    return {
      stop: async () => {
        if (!sub.isClosed() && !sub.isDraining() && !this.nc.isClosed())
          await sub.drain().catch(() => undefined);
        await inFlight.idle();
      },
    };
  }

  private async handle(
    servedSubject: string,
    msg: Msg,
    call: (msg: Msg, data: Uint8Array) => Promise<ReplyEnvelope<unknown>>,
  ): Promise<void> {
    if (!msg.reply) {
      this.log.warn(`request on ${msg.subject} without a reply subject ignored`);
      return;
    }
    let assembled: { data: Uint8Array; replyTo: Msg } | null;
    try {
      assembled = await this.receiveUpload(msg);
    } catch (error) {
      this.log.warn(`dropped a chunked request on ${msg.subject}: ${describe(error)}`);
      return;
    }
    if (!assembled) return;
    const started = performance.now();
    const envelope = await call(msg, assembled.data);
    this.observer.served?.(
      servedSubject,
      envelope.error ? envelope.error.code : 'ok',
      (performance.now() - started) / 1000,
    );
    try {
      this.respond(assembled.replyTo, encodeJson(envelope));
    } catch (error) {
      this.log.warn(`could not reply on ${msg.subject}: ${describe(error)}`);
    }
  }

  private async invoke<Req, Res>(
    msg: Msg,
    data: Uint8Array,
    handler: RequestHandler<Req, Res>,
  ): Promise<ReplyEnvelope<Res>> {
    let payload: Req;
    try {
      payload = decodeJson<Req>(data);
    } catch {
      return { error: { code: 'bad_request', message: 'request is not valid JSON' } };
    }
    return this.run(msg.subject, () =>
      handler(payload, {
        subject: msg.subject,
        headers: fromNatsHeaders(msg.headers, isChunkHeader),
      }),
    );
  }

  private async invokeBinary<Meta, Res>(
    msg: Msg,
    data: Uint8Array,
    handler: BinaryRequestHandler<Meta, Res>,
  ): Promise<ReplyEnvelope<Res>> {
    let meta: Meta;
    try {
      const raw = msg.headers?.get(META_HEADER);
      if (!raw)
        return {
          error: { code: 'bad_request', message: `binary request without a ${META_HEADER} header` },
        };
      meta = JSON.parse(decodeURIComponent(raw)) as Meta;
    } catch {
      return { error: { code: 'bad_request', message: `${META_HEADER} is not valid JSON` } };
    }
    return this.run(msg.subject, () =>
      handler(data, {
        subject: msg.subject,
        headers: fromNatsHeaders(msg.headers, isBusHeader),
        meta,
      }),
    );
  }

  private async run<Res>(subject: string, call: () => Promise<Res>): Promise<ReplyEnvelope<Res>> {
    try {
      const ok = await call();
      return { ok };
    } catch (error) {
      if (error instanceof StrataError) return { error: error.toBody() };
      // Unexpected failures are logged here in full and answered without detail, so internals never leak.
      this.log.error(`handler of ${subject} failed: ${describe(error)}`, error);
      const body: ErrorBody = { code: 'internal', message: 'internal error' };
      return { error: body };
    }
  }

  private chunkSize(headers?: Record<string, string>): number {
    const max = this.nc.info?.max_payload ?? 1024 * 1024;
    return Math.max(1024, max - CHUNK_HEADER_BUDGET - headerBytes(headers));
  }

  /** Sends the request, uploading the parts after the first to the inbox the server named. */
  private async sendParts(
    subject: string,
    body: Uint8Array,
    headers: Record<string, string> | undefined,
    deadline: number,
  ): Promise<Msg> {
    const size = this.chunkSize(headers);
    if (body.length <= size)
      return this.nc.request(subject, body, {
        timeout: remaining(deadline),
        headers: toNatsHeaders(headers),
      });
    const parts = splitPayload(body, size);
    const id = newChunkId();
    const head = (index: number, extra?: Record<string, string>) =>
      toNatsHeaders({
        ...extra,
        [ChunkHeaders.part]: formatChunkPart(index, parts.length),
        [ChunkHeaders.id]: id,
      });
    const first = await this.nc.request(subject, parts[0], {
      timeout: remaining(deadline),
      headers: head(0, { ...headers, [ChunkHeaders.bytes]: String(body.length) }),
    });
    const inbox = first.headers?.get(ChunkHeaders.inbox);
    if (!inbox) return first;
    let reply = first;
    for (let i = 1; i < parts.length; i++) {
      reply = await this.nc.request(inbox, parts[i], {
        timeout: remaining(deadline),
        headers: head(i),
      });
    }
    return reply;
  }

  /** Pulls the remaining parts of a chunked reply from the inbox the server named. */
  private async receiveParts(reply: Msg, deadline: number): Promise<Uint8Array> {
    const part = parseChunkPart(reply.headers?.get(ChunkHeaders.part) || undefined);
    if (!part) return reply.data;
    const inbox = reply.headers?.get(ChunkHeaders.inbox);
    if (!inbox) throw new ChunkAssemblyError('chunked reply without an inbox');
    const parts = [reply.data];
    for (let i = 1; i < part.count; i++) {
      const next = await this.nc.request(inbox, Empty, {
        timeout: remaining(deadline),
        headers: toNatsHeaders({ [ChunkHeaders.part]: formatChunkPart(i, part.count) }),
      });
      parts.push(next.data);
    }
    return joinParts(parts, Number(reply.headers?.get(ChunkHeaders.bytes) || NaN));
  }

  /** For a chunked request, collects the remaining parts; returns the message to answer. */
  private async receiveUpload(first: Msg): Promise<{ data: Uint8Array; replyTo: Msg } | null> {
    const part = parseChunkPart(first.headers?.get(ChunkHeaders.part) || undefined);
    if (!part) return { data: first.data, replyTo: first };
    if (part.index !== 0) throw new ChunkAssemblyError(`request started with part ${part.index}`);
    const parts: Uint8Array[] = new Array<Uint8Array>(part.count);
    parts[0] = first.data;
    const inbox = createInbox(this.inboxPrefix);
    const upload = this.nc.subscribe(inbox);
    let timer = setTimeout(() => upload.unsubscribe(), CHUNK_IDLE_MS);
    first.respond(Empty, { headers: toNatsHeaders({ [ChunkHeaders.inbox]: inbox }) });
    let last: Msg | null = null;
    for await (const m of upload) {
      clearTimeout(timer);
      timer = setTimeout(() => upload.unsubscribe(), CHUNK_IDLE_MS);
      const p = parseChunkPart(m.headers?.get(ChunkHeaders.part) || undefined);
      if (!p || p.count !== part.count) throw new ChunkAssemblyError('part of another upload');
      parts[p.index] = m.data;
      if (p.index === part.count - 1) {
        last = m;
        break;
      }
      m.respond(Empty);
    }
    clearTimeout(timer);
    upload.unsubscribe();
    if (!last) throw new ChunkAssemblyError(`upload idle for ${CHUNK_IDLE_MS} ms`);
    return {
      data: joinParts(parts, Number(first.headers?.get(ChunkHeaders.bytes) || NaN)),
      replyTo: last,
    };
  }

  /** Answers `msg`; a reply above max_payload is offered part by part on a fresh inbox. */
  private respond(msg: Msg, data: Uint8Array): void {
    const size = this.chunkSize();
    if (data.length <= size) {
      msg.respond(data);
      return;
    }
    const parts = splitPayload(data, size);
    const inbox = createInbox(this.inboxPrefix);
    let timer: NodeJS.Timeout | undefined;
    const download = this.nc.subscribe(inbox, {
      callback: (_err, m) => {
        clearTimeout(timer);
        const p = m ? parseChunkPart(m.headers?.get(ChunkHeaders.part) || undefined) : null;
        if (!p || !parts[p.index]) return;
        m.respond(parts[p.index]);
        if (p.index === parts.length - 1) download.unsubscribe();
        else timer = setTimeout(() => download.unsubscribe(), CHUNK_IDLE_MS);
      },
    });
    timer = setTimeout(() => download.unsubscribe(), CHUNK_IDLE_MS);
    msg.respond(parts[0], {
      headers: toNatsHeaders({
        [ChunkHeaders.part]: formatChunkPart(0, parts.length),
        [ChunkHeaders.id]: newChunkId(),
        [ChunkHeaders.bytes]: String(data.length),
        [ChunkHeaders.inbox]: inbox,
      }),
    });
  }
}

function remaining(deadline: number): number {
  return Math.max(1, deadline - Date.now());
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
    return new PermissionDeniedError(denied.subject || subject, denied.operation === 'subscription' ? 'subscription' : 'publish', { cause: error });
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
