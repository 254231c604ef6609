import { StrataError, type ErrorBody } from '@strata/contracts';
import { type Msg, type NatsConnection } from '@nats-io/nats-core';
import {
  type BinaryRequestHandler,
  type ReplyEnvelope,
  type RequestHandler,
  type ServeOptions,
  type Stoppable,
} from '../bus';
import { isChunkHeader } from '../chunking';
import { decodeJson, encodeJson, fromNatsHeaders } from '../codec';
import { describe } from '../errors';
import { InFlight } from '../in-flight';
import { type BusObserver } from '../observer';
import { type BusLogger } from '../logger';
import { type ChunkTransfer } from './chunk-transfer';

/** Header of a binary request that carries its JSON metadata (URI-encoded, so any text is header-safe). */
export const META_HEADER = 'Strata-Meta';

function isBusHeader(key: string): boolean {
  return isChunkHeader(key) || key.toLowerCase() === 'strata-meta';
}

/** A binary handler this process serves, reachable without a NATS round trip. */
export interface LocalBinaryHandler {
  readonly handler: BinaryRequestHandler<unknown, unknown>;
  readonly inFlight: InFlight;
}

/** A JSON handler this process serves with `inProcess`, reachable without a NATS round trip. */
export interface LocalHandler {
  readonly handler: RequestHandler<unknown, unknown>;
  readonly inFlight: InFlight;
}

/** Serves JSON and binary requests in queue groups; every reply is an envelope, whatever the handler does. */
export class Responder {
  readonly inFlight = new InFlight();
  /**
   * Binary subjects this process serves itself. A request on one is answered in-process, as a
   * monolith calls its own components (Mimir's monolithic mode does the same): the body is not
   * copied through nats-server twice. Other processes still reach the subject over NATS.
   */
  private readonly localBinary = new Map<string, LocalBinaryHandler>();
  /** JSON subjects served with `inProcess` (see `ServeOptions`). */
  private readonly local = new Map<string, LocalHandler>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly chunks: ChunkTransfer,
    private readonly log: BusLogger,
    private readonly observer: BusObserver = {},
  ) {}

  /** The binary handler this process serves on `subject`, if any. */
  localBinaryHandler(subject: string): LocalBinaryHandler | undefined {
    return this.localBinary.get(subject);
  }

  /** The JSON handler this process serves on `subject` for in-process callers, if any. */
  localHandler(subject: string): LocalHandler | undefined {
    return this.local.get(subject);
  }

  /** Subscribes `handler` to `subject`; every reply is an envelope, whatever the handler does. */
  serve<Req, Res>(
    subject: string,
    queueGroup: string | null,
    handler: RequestHandler<Req, Res>,
    options: ServeOptions = {},
  ): Stoppable {
    const remote = this.subscribe(subject, queueGroup, (msg, data) =>
      this.invoke(msg, data, handler),
    );
    if (!options.inProcess || this.local.has(subject)) return remote;
    const local: LocalHandler = {
      handler: handler as RequestHandler<unknown, unknown>,
      inFlight: new InFlight(),
    };
    this.local.set(subject, local);
    return {
      stop: async () => {
        if (this.local.get(subject) === local) this.local.delete(subject);
        await remote.stop();
        await local.inFlight.idle();
      },
    };
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
      assembled = await this.chunks.receiveUpload(msg);
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
      this.chunks.respond(assembled.replyTo, encodeJson(envelope));
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

  async run<Res>(subject: string, call: () => Promise<Res>): Promise<ReplyEnvelope<Res>> {
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
}
