import { type NatsConnection } from '@nats-io/nats-core';
import { type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import {
  type Bus,
  type BinaryRequestHandler,
  type BinaryRequestOptions,
  type ConsumedMessage,
  type ConsumeOptions,
  type ConsumerSpec,
  type FollowedMessage,
  type FollowOptions,
  type PublishAck,
  type ReplyEnvelope,
  type RequestHandler,
  type RequestOptions,
  type ServeOptions,
  type Stoppable,
  type StreamSpec,
} from './bus';
import { StreamConsumer } from './consumer';
import { HandBacks } from './hand-backs';
import { followStream } from './follow';
import { consumerAckFloor, consumerBacklog, lastSequence, removeConsumers } from './stream-admin';
import { describe } from './errors';
import { openKvBucket, type KvBucket, type KvBucketOptions, type KvProvider } from './kv';
import { type BusLogger } from './logger';
import { type BusObserver } from './observer';
import { watchConnection } from './connection-status';
import { ChunkTransfer } from './request-reply/chunk-transfer';
import { Requester } from './request-reply/requester';
import { Responder } from './request-reply/responder';
import { StreamPublisher } from './streams';

/** Settings of a NatsBus that `connectBus` derives from its options. */
export interface NatsBusSettings {
  requestTimeoutMs: number;
  onReconnect?: () => void;
  observer?: BusObserver;
  /** The connection's inbox prefix, for the inboxes the bus creates itself. */
  inboxPrefix?: string;
  /** Replicas of declared streams and KV buckets whose spec names none. */
  replicas?: number;
}

/** The Bus over one nats.js connection; create it with `connectBus`. */
export class NatsBus implements Bus, KvProvider {
  private readonly requester: Requester;
  private readonly responder: Responder;
  private readonly streams: StreamPublisher;
  private readonly serving = new Set<Stoppable>();
  private readonly consuming = new Set<Stoppable>();
  private readonly handBacks = new HandBacks();
  private connected = true;
  private draining: Promise<void> | null = null;
  private readonly observer: BusObserver;
  private readonly replicas: number;

  constructor(
    readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: () => Promise<JetStreamManager>,
    private readonly log: BusLogger,
    settings: NatsBusSettings,
  ) {
    this.observer = settings.observer ?? {};
    this.replicas = settings.replicas ?? 1;
    const chunks = new ChunkTransfer(connection, settings.inboxPrefix);
    this.responder = new Responder(connection, chunks, log, this.observer);
    this.requester = new Requester(
      connection,
      chunks,
      this.responder,
      log,
      settings.requestTimeoutMs,
      this.observer,
    );
    this.streams = new StreamPublisher(connection, js, jsm);
    void watchConnection(connection, log, (up) => {
      this.connected = up;
      this.observer.connection?.(up);
      if (up) settings.onReconnect?.();
    });
  }

  /** The server's largest accepted message; the bus chunks anything bigger. */
  get maxPayload(): number {
    return this.connection.info?.max_payload ?? 1024 * 1024;
  }

  request<Req, Res>(subject: string, payload: Req, options?: RequestOptions): Promise<Res> {
    return this.requester.request<Req, Res>(subject, payload, options);
  }

  /** Asks every instance serving `subject` (no queue group) and returns each reply envelope received within `maxWaitMs`. */
  requestAll<Req, Res>(
    subject: string,
    payload: Req,
    options?: { maxWaitMs?: number; headers?: Record<string, string> },
  ): Promise<Array<ReplyEnvelope<Res>>> {
    return this.requester.requestAll<Req, Res>(subject, payload, options);
  }

  serve<Req, Res>(
    subject: string,
    queueGroup: string | null,
    handler: RequestHandler<Req, Res>,
    options?: ServeOptions,
  ): Stoppable {
    return this.track(this.responder.serve(subject, queueGroup, handler, options));
  }

  requestBinary<Meta, Res>(
    subject: string,
    payload: Uint8Array,
    options: BinaryRequestOptions<Meta>,
  ): Promise<Res> {
    return this.requester.requestBinary<Meta, Res>(subject, payload, options);
  }

  serveBinary<Meta, Res>(
    subject: string,
    queueGroup: string | null,
    handler: BinaryRequestHandler<Meta, Res>,
  ): Stoppable {
    return this.track(this.responder.serveBinary(subject, queueGroup, handler));
  }

  private track(inner: Stoppable, into: Set<Stoppable> = this.serving): Stoppable {
    const handle: Stoppable = {
      stop: async () => {
        into.delete(handle);
        await inner.stop();
      },
    };
    into.add(handle);
    return handle;
  }

  ensureStream(spec: StreamSpec): Promise<void> {
    return this.streams.ensureStream({ ...spec, replicas: spec.replicas ?? this.replicas });
  }

  publish(
    subject: string,
    data: Uint8Array | object,
    options?: { msgId?: string; headers?: Record<string, string> },
  ): Promise<PublishAck> {
    return this.streams.publish(subject, data, options);
  }

  async consume(
    spec: ConsumerSpec,
    handler: (message: ConsumedMessage) => Promise<void>,
    options?: ConsumeOptions,
  ): Promise<Stoppable> {
    const context = {
      js: this.js,
      jsm: this.jsm,
      log: this.log,
      serverVersion: this.connection.info?.version ?? '0.0.0',
      observer: this.observer,
      handBacks: this.handBacks,
    };
    return this.track(await StreamConsumer.start(context, spec, handler, options), this.consuming);
  }

  follow(
    stream: string,
    onMessage: (message: FollowedMessage) => void,
    options: FollowOptions,
  ): Stoppable {
    return this.track(followStream(this.js, this.log, stream, onMessage, options), this.consuming);
  }

  async lastSequence(stream: string, subject: string): Promise<number> {
    return lastSequence(await this.jsm(), stream, subject);
  }

  async removeConsumers(stream: string, matches: (name: string) => boolean): Promise<void> {
    await removeConsumers(await this.jsm(), stream, matches);
  }

  async consumerBacklog(stream: string, durable: string): Promise<number> {
    return consumerBacklog(await this.jsm(), stream, durable);
  }

  async consumerAckFloor(stream: string, durable: string): Promise<number> {
    return consumerAckFloor(await this.jsm(), stream, durable);
  }

  /** Opens (creating when missing) a KV bucket, e.g. for partition leases. */
  openKv(bucket: string, options?: KvBucketOptions): Promise<KvBucket> {
    return openKvBucket(this.js, bucket, {
      ...options,
      replicas: options?.replicas ?? this.replicas,
    });
  }

  flush(): Promise<void> {
    return this.connection.flush();
  }

  isConnected(): boolean {
    return this.connected && !this.connection.isClosed();
  }

  /** Consumers stop first so no new work starts, then subscriptions drain and in-flight handlers finish. */
  drain(): Promise<void> {
    this.draining ??= this.doDrain();
    return this.draining;
  }

  private async doDrain(): Promise<void> {
    await Promise.all([...this.consuming].map((c) => c.stop()));
    this.handBacks.release();
    await Promise.all([...this.serving].map((s) => s.stop()));
    await Promise.all([this.responder.inFlight.idle(), this.requester.inFlight.idle()]);
    if (!this.connection.isClosed()) {
      await this.connection
        .drain()
        .catch((error: unknown) => this.log.warn(`drain: ${describe(error)}`));
    }
    this.connected = false;
  }
}
