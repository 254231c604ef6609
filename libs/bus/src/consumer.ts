import { nanos, type Subscription } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import {
  type ConsumedMessage,
  type ConsumeOptions,
  type ConsumerSpec,
  type Stoppable,
} from './bus';
import { ChunkHeaders, isChunkHeader, joinParts, parseChunkPart } from './chunking';
import { decodeJson, fromNatsHeaders } from './codec';
import { ChunkAssemblyError, DeliveryExhaustedError, ProvisioningError, describe } from './errors';
import { type DurableIdentity, type HandBacks } from './hand-backs';
import { InFlight } from './in-flight';
import { retryTransient } from './transient-retry';
import { type BusObserver, type DeliveryOutcome } from './observer';
import { type BusLogger } from './logger';

const DEFAULT_ACK_WAIT_MS = 30_000;
/** How long a stop waits for the server to confirm the end of the pull subscription. */
const DRAIN_WAIT_MS = 5_000;
/** How long a stop waits for its open pull requests to be filled before it ends them anyway. */
const PULLS_END_WAIT_MS = 5_000;
/** How often a stop waiting for its open pull requests asks whether anything could fill them. */
const PULLS_END_CHECK_MS = 50;
const CONSUMER_NOT_FOUND = 10014;
const CONSUMER_NAME_EXISTS = 10013;
const CONSUMER_ALREADY_EXISTS = 10105;

/** What `answer` resolves to, or false once `ms` passed first. */
async function within(ms: number, answer: Promise<boolean>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      answer,
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function defaultRetryDelay(deliveryCount: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, deliveryCount - 1));
}

/** Translates a declared consumer into JetStream's durable pull-consumer configuration. */
export function consumerConfig(
  spec: ConsumerSpec,
  options: ConsumeOptions,
): Partial<ConsumerConfig> {
  const filters = spec.filterSubjects ?? [];
  const deliver = spec.deliverPolicy ?? 'all';
  return {
    durable_name: spec.durableName,
    ack_policy: spec.ackPolicy === 'cumulative' ? AckPolicy.All : AckPolicy.Explicit,
    ack_wait: nanos(spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS),
    max_deliver: spec.maxDeliver ?? -1,
    max_ack_pending: options.ordered ? 1 : Math.max(1000, (options.concurrency ?? 16) * 4),
    // Servers before 2.10 know only the singular filter, so one subject uses it.
    ...(filters.length === 1
      ? { filter_subject: filters[0] }
      : filters.length > 1
        ? { filter_subjects: filters }
        : {}),
    ...(deliver === 'all'
      ? { deliver_policy: DeliverPolicy.All }
      : deliver === 'new'
        ? { deliver_policy: DeliverPolicy.New }
        : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: deliver.startSeq }),
  };
}

/** What a consumer needs from the connection. */
export interface ConsumerContext {
  js: JetStreamClient;
  jsm: () => Promise<JetStreamManager>;
  log: BusLogger;
  /** The server's version: before 2.10 a `+TERM` with a reason is not understood and nothing happens. */
  serverVersion: string;
  observer?: BusObserver;
  /** Where a stopped consumer leaves what it received and never started, for the next one. */
  handBacks: HandBacks;
}

/** True when the server understands `+TERM <reason>` (2.10 and later). */
export function acceptsTermReason(version: string): boolean {
  const [major, minor] = version.split('.').map((n) => Number.parseInt(n, 10));
  return major > 2 || (major === 2 && minor >= 10);
}

/**
 * What a stop reads and sets on nats.js's pull iterator (not in its typings): whether it pulls
 * again as messages arrive, and how much its open requests still ask for.
 */
interface PullState {
  isConsume: boolean;
  pending: { msgs: number };
}

/** A running pull-consumer loop over one durable consumer. */
export class StreamConsumer implements Stoppable {
  private readonly inFlight = new InFlight();
  private loop: Promise<void> = Promise.resolve();
  private stopped = false;
  /** With a cumulative ack policy: the newest message acked by a handler and not yet sent. */
  private pendingAck: JsMsg | null = null;
  /** Messages that arrived once the stop began, left for the durable's next consumer. */
  private readonly held: JsMsg[] = [];

  private constructor(
    private readonly jsm: () => Promise<JetStreamManager>,
    private readonly log: BusLogger,
    private readonly handBacks: HandBacks,
    private readonly durable: DurableIdentity,
    private readonly termWithReason: boolean,
    private readonly observer: BusObserver,
    private readonly spec: ConsumerSpec,
    private readonly handler: (message: ConsumedMessage) => Promise<void>,
    private readonly options: ConsumeOptions,
    private readonly messages: ConsumerMessages,
  ) {}

  /** Creates or updates the durable consumer to `spec` and starts pulling. */
  static async start(
    { js, jsm, log, serverVersion, observer, handBacks }: ConsumerContext,
    spec: ConsumerSpec,
    handler: (message: ConsumedMessage) => Promise<void>,
    options: ConsumeOptions = {},
  ): Promise<StreamConsumer> {
    await ensureConsumer(await jsm(), spec, options);
    const consumer = await js.consumers.get(spec.stream, spec.durableName);
    const durable = {
      stream: spec.stream,
      name: spec.durableName,
      created: (await consumer.info(true)).created,
    };
    const messages = await consumer.consume({
      max_messages: options.ordered
        ? 1
        : (options.prefetch ?? Math.max(8, (options.concurrency ?? 16) * 2)),
    });
    const running = new StreamConsumer(
      jsm,
      log,
      handBacks,
      durable,
      acceptsTermReason(serverVersion),
      observer ?? {},
      spec,
      handler,
      options,
      messages,
    );
    running.loop = running.run(handBacks.take(durable));
    return running;
  }

  /**
   * Stops pulling and waits for the handlers already running. What the server sent meanwhile is
   * left to the durable's next consumer on this connection, or handed back (nak) to the server.
   */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopped = true;
      await this.endPulls();
    }
    await this.loop;
    await this.inFlight.idle();
    this.sendPendingAck();
  }

  /**
   * Ends the subscription once the server holds no open pull request for it. The server checks a
   * request's interest when it picks a message for it, then queues the delivery: one queued as
   * the subscription ends is dropped on the way, yet counted as delivered, and stays pending for
   * the whole ack wait, during which an ordered consumer (max_ack_pending 1) of the durable gets
   * nothing at all. So the stop asks for nothing more and waits until the open requests are
   * filled or expired, which ends nats.js's iterator by itself; while nothing could fill them
   * (nothing left to deliver), it ends them at once.
   */
  private async endPulls(): Promise<void> {
    const pulls = this.messages as unknown as Partial<PullState>;
    if (typeof pulls.isConsume !== 'boolean' || !pulls.pending) {
      await this.endSubscription();
      return;
    }
    // nats.js then sends no further pull, and ends the iterator once its open requests are done.
    pulls.isConsume = false;
    const deadline = Date.now() + PULLS_END_WAIT_MS;
    while (pulls.pending.msgs > 0) {
      if (Date.now() >= deadline || (await this.nothingToDeliver())) {
        await this.endSubscription();
        return;
      }
      if (
        await within(
          PULLS_END_CHECK_MS,
          this.loop.then(() => true),
        )
      )
        return;
    }
    await this.messages.close().catch(() => undefined);
  }

  /**
   * True when the server has nothing this durable could deliver to an open request: no message
   * left, or as many pending as max_ack_pending allows (the stop's own unfinished ones count).
   */
  private async nothingToDeliver(): Promise<boolean> {
    try {
      const jsm = await this.jsm();
      const info = await jsm.consumers.info(this.spec.stream, this.spec.durableName);
      const full = info.config.max_ack_pending ?? -1;
      return info.num_pending === 0 || (full > 0 && info.num_ack_pending >= full);
    } catch (error) {
      // A deleted durable sends nothing more.
      return error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND;
    }
  }

  /**
   * Ends the subscription with its requests still open. Drained, it ends the iterator itself after
   * the messages queued in it, which the loop then holds; closed at once, it would drop them.
   */
  private async endSubscription(): Promise<void> {
    if (!(await this.drainPulls())) await this.messages.close().catch(() => undefined);
  }

  /** Acks at once, or gathers acks into one cumulative ack at the end of this turn of the loop. */
  private ack(m: JsMsg): void {
    if (this.spec.ackPolicy !== 'cumulative') {
      m.ack();
      return;
    }
    const pending = this.pendingAck;
    if (pending === null) setImmediate(() => this.sendPendingAck());
    if (pending === null || m.seq > pending.seq) this.pendingAck = m;
  }

  private sendPendingAck(): void {
    const m = this.pendingAck;
    this.pendingAck = null;
    m?.ack();
  }

  /**
   * Unsubscribes the pull inbox and waits for a round trip to the server, so messages already on
   * the way still reach the loop (which holds them). Closing without it drops them on arrival,
   * pending on the server for the whole ack wait. False when the round trip did not finish (or
   * there was no inbox left to drain).
   */
  private async drainPulls(): Promise<boolean> {
    // `sub` is the pull inbox of nats.js's ConsumerMessages, whose own close only unsubscribes.
    const sub = (this.messages as { sub?: Subscription }).sub;
    if (!sub || sub.isClosed()) return false;
    // Disconnected, the round trip waits for a reconnect; a stop must not: what the server sent
    // meanwhile then comes back after the ack wait, as without the drain.
    return within(
      DRAIN_WAIT_MS,
      sub.drain().then(
        () => true,
        () => false,
      ),
    );
  }

  /** Runs what the durable's previous consumer left first, then what this one pulls. */
  private async run(taken: readonly JsMsg[]): Promise<void> {
    const limit = this.options.ordered ? 1 : Math.max(1, this.options.concurrency ?? 16);
    try {
      for (const m of taken) await this.accept(m, limit);
      for await (const m of this.messages) await this.accept(m, limit);
    } catch (error) {
      if (!this.stopped)
        this.log.error(
          `consumer ${this.spec.stream}/${this.spec.durableName} stopped: ${describe(error)}`,
          error,
        );
    }
    this.handBacks.leave(this.durable, this.held.splice(0));
  }

  private async accept(m: JsMsg, limit: number): Promise<void> {
    if (this.stopped) {
      this.held.push(m);
      return;
    }
    if (limit === 1) {
      await this.process(m);
      return;
    }
    while (this.inFlight.size >= limit) await this.inFlight.any();
    this.inFlight.track(this.process(m));
  }

  /** Never rejects: a failure here must not end the consume loop. */
  private async process(m: JsMsg): Promise<void> {
    try {
      await this.deliver(m);
    } catch (error) {
      this.log.error(`${this.spec.stream}#${m.seq}: ${describe(error)}`, error);
    }
  }

  private async deliver(m: JsMsg): Promise<void> {
    let part: ReturnType<typeof parseChunkPart>;
    try {
      part = parseChunkPart(m.headers?.get(ChunkHeaders.part) || undefined);
    } catch (error) {
      this.observe(this.fail(m, error, true), 0);
      return;
    }
    // Leading chunks stay in the stream (limits retention); the last one carries their sequences.
    if (part && part.index < part.count - 1) {
      this.ack(m);
      return;
    }
    let data = m.data;
    if (part && part.count > 1) {
      try {
        data = await this.assemble(m);
      } catch (error) {
        this.observe(this.fail(m, asChunkError(m, error), error instanceof ChunkAssemblyError), 0);
        return;
      }
    }
    const message = this.wrap(m, data);
    // A chunked message shows the id it was published with, not the id of its last part.
    const group = part && part.count > 1 ? m.headers?.get(ChunkHeaders.id) : undefined;
    if (group && message.headers['Nats-Msg-Id'] !== undefined)
      message.headers['Nats-Msg-Id'] = group;
    // A slow handler keeps its message: without progress reports the server would redeliver it mid-work.
    const progress = setInterval(
      () => {
        if (!message.settled) m.working();
      },
      Math.max(100, (this.spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) / 4),
    );
    const started = performance.now();
    let outcome: DeliveryOutcome;
    try {
      await this.handler(message);
      if (!message.settled) this.ack(m);
      outcome = message.outcome ?? 'ack';
    } catch (error) {
      outcome = message.outcome ?? this.fail(m, error, false, message);
    } finally {
      clearInterval(progress);
    }
    this.observe(outcome, (performance.now() - started) / 1000);
  }

  private observe(outcome: DeliveryOutcome, seconds: number): void {
    this.observer.consumed?.(this.spec.stream, this.spec.durableName, outcome, seconds);
  }

  private async assemble(last: JsMsg): Promise<Uint8Array> {
    const seqs = (last.headers?.get(ChunkHeaders.seqs) || '')
      .split(',')
      .filter(Boolean)
      .map(Number);
    const jsm = await this.jsm();
    const parts: Uint8Array[] = [];
    for (const seq of seqs) {
      const stored = await jsm.streams.getMessage(this.spec.stream, { seq });
      if (!stored) throw new ChunkAssemblyError(`chunk at ${this.spec.stream}#${seq} is gone`);
      parts.push(stored.data);
    }
    parts.push(last.data);
    return joinParts(parts, Number(last.headers?.get(ChunkHeaders.bytes) || NaN));
  }

  private wrap(
    m: JsMsg,
    data: Uint8Array,
  ): ConsumedMessage & { settled: boolean; outcome?: DeliveryOutcome } {
    const maxDeliver = this.spec.maxDeliver ?? -1;
    const message: ConsumedMessage & { settled: boolean; outcome?: DeliveryOutcome } = {
      settled: false,
      subject: m.subject,
      seq: m.seq,
      data,
      headers: fromNatsHeaders(m.headers, isChunkHeader),
      deliveryCount: m.info.deliveryCount,
      deliverySeq: m.info.deliverySequence,
      json: <T>() => decodeJson<T>(data),
      ack: () => {
        message.settled = true;
        message.outcome = 'ack';
        this.ack(m);
      },
      nak: (delayMs?: number) => {
        message.settled = true;
        if (maxDeliver > 0 && m.info.deliveryCount >= maxDeliver) {
          message.outcome = 'given_up';
          this.giveUp(m, new Error('rejected by the handler'), message);
        } else {
          message.outcome = 'nak';
          m.nak(delayMs);
        }
      },
      term: (reason?: string) => {
        message.settled = true;
        message.outcome = 'term';
        this.terminate(m, reason);
      },
    };
    return message;
  }

  /** A failed delivery: redeliver later, or give up on the last allowed delivery (or when retrying cannot help). */
  private fail(
    m: JsMsg,
    error: unknown,
    permanent: boolean,
    message?: ConsumedMessage,
  ): DeliveryOutcome {
    const maxDeliver = this.spec.maxDeliver ?? -1;
    const deliveries = m.info.deliveryCount;
    if (permanent || (maxDeliver > 0 && deliveries >= maxDeliver)) {
      this.giveUp(m, error, message ?? this.wrap(m, m.data));
      return 'given_up';
    }
    this.log.warn(
      `${this.spec.stream}#${m.seq} delivery ${deliveries} failed, retrying: ${describe(error)}`,
    );
    m.nak((this.options.retryDelayMs ?? defaultRetryDelay)(deliveries));
    return 'retry';
  }

  private terminate(m: JsMsg, reason?: string): void {
    if (this.termWithReason && reason) m.term(reason);
    else m.term();
  }

  private giveUp(m: JsMsg, cause: unknown, message: ConsumedMessage): void {
    const error = new DeliveryExhaustedError(this.spec.stream, m.seq, m.info.deliveryCount, {
      cause,
    });
    this.terminate(m, error.message.slice(0, 200));
    if (this.options.onGiveUp) this.options.onGiveUp(error, message);
    else this.log.error(error.message, cause);
  }
}

function asChunkError(m: JsMsg, error: unknown): ChunkAssemblyError {
  return error instanceof ChunkAssemblyError
    ? error
    : new ChunkAssemblyError(`cannot read chunks of #${m.seq}`, { cause: error });
}

async function ensureConsumer(
  jsm: JetStreamManager,
  spec: ConsumerSpec,
  options: ConsumeOptions,
): Promise<void> {
  const config = consumerConfig(spec, options);
  const { deliver_policy: _dp, opt_start_seq: _os, durable_name: _dn, ...updatable } = config;
  // Retried on timeouts: a cluster electing a leader, or a slow consumer create, answers late; a
  // create that timed out but happened is found by the next round's info and updated.
  try {
    await retryTransient(async () => {
      const exists = await jsm.consumers.info(spec.stream, spec.durableName).then(
        () => true,
        (error: unknown) => {
          if (error instanceof JetStreamApiError && error.code === CONSUMER_NOT_FOUND) return false;
          throw error;
        },
      );
      if (!exists) {
        try {
          await jsm.consumers.add(spec.stream, config);
          return;
        } catch (error) {
          const raced =
            error instanceof JetStreamApiError &&
            (error.code === CONSUMER_NAME_EXISTS || error.code === CONSUMER_ALREADY_EXISTS);
          if (!raced) throw error;
        }
      }
      await jsm.consumers.update(spec.stream, spec.durableName, updatable);
    });
  } catch (error) {
    throw new ProvisioningError(`consumer ${spec.stream}/${spec.durableName}`, { cause: error });
  }
}
