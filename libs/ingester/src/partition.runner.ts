import { Logger } from '@nestjs/common';
import { type Bus, type BusRoutes, type ConsumedMessage, type Stoppable } from '@strata/bus';
import {
  type StoreRequest,
  StrataError,
  Streams,
  Subjects,
  SubjectPatterns,
} from '@strata/contracts';
import { IngestMessageView, RemoteWriteError, ingestMessagesOf } from '@strata/remote-write';
import { type HeadOptions } from '@strata/tsdb';
import { BlockCutter, type BlockShipping, type ShippedBlock } from './blocks/block-cutter';
import { type IngesterObserver } from './ingester.metrics';
import { PartitionHead } from './head/partition-head';
import { encodeHeadSnapshotSteps } from './snapshot/head-snapshot';
import { type SnapshotStore } from './snapshot/snapshot.store';
import { type StoreResponse, answerStoreRequest } from './store/store-api.handler';

/**
 * Durable consumer of a partition under one lease: the lease revision makes it unique per
 * ownership, so an owner that lost its lease without noticing (a stalled process) pulls from
 * its own, deleted consumer and cannot take messages from its successor's. `a` marks a consumer
 * with cumulative acks (`r` was an explicit-ack one of earlier builds; JetStream cannot change a
 * consumer's ack policy, so those are removed like any earlier owner's).
 */
export function partitionConsumerName(partition: number, leaseRevision: number): string {
  return `${consumerPrefix(partition)}a${leaseRevision}`;
}

/**
 * Longest the event loop is held by one slice of a snapshot's encoding or of the deliveries held
 * meanwhile: a write request waits behind at most this much of it, not the whole encoding.
 */
const SLICE_MS = 4;

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

function consumerPrefix(partition: number): string {
  return `ingester-p${partition}-`;
}

/**
 * Serves one owned partition: restores its head from the last snapshot, replays the stream from
 * the sequence after it, applies messages in stream order (acked only once applied), answers
 * the Store API for it, and writes snapshots on request.
 */
export class PartitionRunner {
  private readonly log: Logger;
  private consumer: Stoppable | null = null;
  private server: Stoppable | null = null;
  private snapshotSeq = 0;
  /** Stream sequence of the partition's newest message when it was taken over; queries wait for it. */
  private catchUpSeq = 0;
  private cutter: BlockCutter | null = null;
  private cutting: Promise<ShippedBlock[]> = Promise.resolve([]);
  private stopped = false;
  /** Counts the consumers this runner opened; deliveries of a replaced one are not applied. */
  private generation = 0;
  private accepting = 0;
  /** The consumer sequence the next delivery must have. */
  private nextDelivery = 1;
  private resyncing: Promise<void> = Promise.resolve();
  /** Deliveries that arrived while a snapshot was encoded; applied in order once it is. */
  private held: Array<() => void> | null = null;
  /** Snapshots and block cuts, one at a time: a cut truncates heads a snapshot may be reading. */
  private exclusive: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly state: PartitionHead,
    private readonly consumerName: string,
    private readonly bus: Bus,
    private readonly routes: BusRoutes,
    private readonly snapshots: SnapshotStore,
    private readonly observer: IngesterObserver,
  ) {
    this.log = new Logger(`Partition ${state.partition}`);
    this.snapshotSeq = state.lastSeq;
  }

  /** Restores and starts a partition. */
  static async start(
    partition: number,
    leaseRevision: number,
    deps: {
      bus: Bus;
      /** Where the partition's Store API subject is opened while it is owned. */
      routes: BusRoutes;
      snapshots: SnapshotStore;
      observer: IngesterObserver;
      headOptions: HeadOptions;
      /** Exemplars the partition keeps per tenant. */
      exemplarsPerTenant: number;
      /** Where and how tenant heads are cut into blocks; without it the heads are never shipped. */
      blocks?: BlockShipping;
    },
  ): Promise<PartitionRunner> {
    const log = new Logger(`Partition ${partition}`);
    const fresh = { headOptions: deps.headOptions, exemplarsPerTenant: deps.exemplarsPerTenant };
    let state: PartitionHead;
    try {
      const snap = await deps.snapshots.read(partition, deps.headOptions);
      state = new PartitionHead(partition, {
        ...fresh,
        tenants: snap?.tenants,
        coveredSeq: snap?.coveredSeq,
        exemplars: snap?.exemplars,
        metadata: snap?.metadata,
      });
      if (snap)
        log.log(
          `restored ${state.numSeries()} series up to sequence ${snap.coveredSeq} (${snap.tenants.length} tenant heads)`,
        );
    } catch (error) {
      // The stream still holds everything, so a bad snapshot costs a longer replay, not data.
      log.error(`ignoring an unreadable snapshot, replaying the stream: ${String(error)}`);
      await deps.snapshots.remove(partition);
      state = new PartitionHead(partition, fresh);
    }
    const runner = new PartitionRunner(
      state,
      partitionConsumerName(partition, leaseRevision),
      deps.bus,
      deps.routes,
      deps.snapshots,
      deps.observer,
    );
    // Before the replay: the shipped record bounds what the replayed messages may still add.
    if (deps.blocks) runner.cutter = await BlockCutter.restore(state, deps.blocks);
    await runner.run();
    return runner;
  }

  private async run(): Promise<void> {
    const p = this.state.partition;
    // Retried, never read as "empty", by the bus: a partition taken over while the cluster elects a
    // leader would otherwise count as caught up and answer queries while still replaying.
    this.catchUpSeq = await this.bus.lastSequence(Streams.ingest.name, Subjects.ingestSamples(p));
    // Earlier owners' consumers go: their ack floors may be past this snapshot (acked after it was
    // written), and a stalled earlier owner must find nothing left to pull from.
    await this.bus.removeConsumers(
      Streams.ingest.name,
      (name) => name.startsWith(consumerPrefix(p)) && name !== this.consumerName,
    );
    await this.openConsumer();
    this.server = this.routes.open(
      SubjectPatterns.storeQuery('ingester'),
      Subjects.storeQuery('ingester', p),
    );
    this.log.log(`consuming from sequence ${this.state.lastSeq + 1} (newest ${this.catchUpSeq})`);
  }

  /** Starts the partition's consumer at the sequence after the last applied one. */
  private async openConsumer(): Promise<void> {
    const generation = ++this.generation;
    this.accepting = generation;
    this.nextDelivery = 1;
    this.consumer = await this.bus.consume(
      {
        stream: Streams.ingest.name,
        durableName: this.consumerName,
        filterSubjects: [Subjects.ingestSamples(this.state.partition)],
        deliverPolicy: this.state.lastSeq > 0 ? { startSeq: this.state.lastSeq + 1 } : 'all',
        ackWaitMs: 30_000,
        // Messages are applied in stream order, so one ack per turn of the loop settles all before
        // it: nats-server handles a fraction of the acks. A crash loses nothing: a new owner
        // starts after its snapshot's sequence whatever was acked, and sequences at or below the
        // last applied one are skipped.
        ackPolicy: 'cumulative',
      },
      (m) => this.deliver(generation, m),
      // Not `ordered`: that waits for each ack before the next delivery. Ingest messages are never
      // chunked (the router bounds them) and `apply` is synchronous, so first deliveries are
      // applied in stream order as long as none is lost on the way, which `deliver` checks.
      { concurrency: 256, onGiveUp: (e) => this.log.error(e.message) },
    );
  }

  /**
   * Applies a delivery only if no delivery before it was lost. `apply` skips sequences at or
   * below the last applied one (redeliveries of applied messages), so a first delivery lost in
   * transit (a reconnect with messages in flight) and redelivered after a later one was applied
   * would be skipped for good. The consumer numbers its deliveries without gaps, so a gap is
   * such a loss: the consumer is then replaced by one starting after the last applied sequence.
   */
  private deliver(generation: number, m: ConsumedMessage): Promise<void> {
    if (generation !== this.accepting) {
      // From a consumer being replaced; its successor delivers the message again.
      m.nak();
      return Promise.resolve();
    }
    if (m.deliverySeq !== this.nextDelivery) {
      this.log.warn(
        `delivery ${m.deliverySeq} of #${m.seq} follows delivery ${this.nextDelivery - 1}: ` +
          `deliveries were lost, consuming again from sequence ${this.state.lastSeq + 1}`,
      );
      this.accepting = -1;
      m.nak();
      this.resyncing = this.resync();
      return Promise.resolve();
    }
    this.nextDelivery = m.deliverySeq + 1;
    const held = this.held;
    if (held)
      return new Promise((resolve, reject) =>
        held.push(() => {
          try {
            void this.apply(m);
            resolve();
          } catch (error) {
            reject(error);
          }
        }),
      );
    return this.apply(m);
  }

  private async resync(): Promise<void> {
    // Not awaited by the handler that saw the gap: stopping waits for the handlers in flight.
    await new Promise((r) => setImmediate(r));
    const old = this.consumer;
    this.consumer = null;
    await old?.stop();
    while (!this.stopped) {
      try {
        await this.bus.removeConsumers(Streams.ingest.name, (n) => n === this.consumerName);
        await this.openConsumer();
        this.observer.resynced(this.state.partition);
        return;
      } catch (error) {
        this.log.error(
          `cannot consume partition ${this.state.partition} again, retrying: ${String(error)}`,
        );
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /**
   * Applies a stream message: one write's ingest message, or a router's batch of several writes'
   * (tenants') under one sequence. Each part is read and appended on its own, so a part that cannot
   * be read or applied costs only its own samples; a message with such a part is dropped loudly
   * (terminated), since it would fail the same way on every redelivery.
   */
  private apply(m: ConsumedMessage): Promise<void> {
    let parts: Buffer[];
    try {
      parts = ingestMessagesOf(m.data);
    } catch (error) {
      if (!(error instanceof RemoteWriteError)) throw error;
      this.log.error(`dropping unreadable message #${m.seq}: ${error.message}`);
      m.term(error.code);
      return Promise.resolve();
    }
    if (m.seq <= this.state.lastSeq) {
      m.ack();
      return Promise.resolve();
    }
    const which = parts.length === 1 ? 'message' : 'a part of message';
    let failed: string | null = null;
    for (const part of parts) {
      let message;
      try {
        message = IngestMessageView.read(part);
      } catch (error) {
        if (!(error instanceof RemoteWriteError)) throw error;
        this.log.error(`dropping unreadable ${which} #${m.seq}: ${error.message}`);
        failed = error.code;
        continue;
      }
      try {
        this.observer.applied(message.tenant, this.state.append(message));
      } catch (error) {
        // Not a refusal the head knows (those are counted inside append): a bug would fail the
        // same way on every redelivery and later messages are applied already.
        this.log.error(`dropping ${which} #${m.seq} that failed to apply: ${String(error)}`);
        this.observer.dropped(message.tenant, message.seriesCount);
        failed = 'apply failed';
      }
    }
    this.state.lastSeq = m.seq;
    if (failed !== null) m.term(failed);
    else m.ack();
    return Promise.resolve();
  }

  /** Answers a Store API request over this partition's head, once it has caught up. */
  query(request: StoreRequest): StoreResponse {
    if (this.state.lastSeq < this.catchUpSeq) {
      throw new StrataError(
        'unavailable',
        `partition ${this.state.partition} is replaying its stream`,
        undefined,
        { reason: 'replaying' },
      );
    }
    return answerStoreRequest(this.state, request);
  }

  /** True once the partition applied everything that was in the stream when it was taken over. */
  get caughtUp(): boolean {
    return this.state.lastSeq >= this.catchUpSeq;
  }

  /** Consumer lag in messages, from the server's view of the durable. */
  lag(): Promise<number> {
    return this.bus.consumerBacklog(Streams.ingest.name, this.consumerName);
  }

  /**
   * Cuts every tenant's due block ranges and ships them (one cut at a time per partition); the
   * heads then drop what lies before the last shipped range, which the next snapshot records.
   */
  cutBlocks(): Promise<ShippedBlock[]> {
    const cutter = this.cutter;
    if (!cutter) return Promise.resolve([]);
    const cut = this.exclusive.then(async () => {
      if (this.stopped) return [];
      const shipped = await cutter.cutDue();
      if (shipped.length > 0) this.snapshotSeq = -1;
      return shipped;
    });
    this.exclusive = cut.catch(() => undefined);
    this.cutting = cut;
    return cut;
  }

  /** The shipped record per tenant (empty without blocks). */
  shippedTenants(): ReadonlyMap<string, { readonly shippedUntil: number }> {
    return this.cutter?.shippedTenants() ?? new Map();
  }

  /**
   * Writes a snapshot if anything was applied since the last one. It is encoded in slices that give
   * the event loop back (so write requests are not stalled behind it), with the deliveries that
   * arrive meanwhile held and applied afterwards, so the heads still match `lastSeq`.
   */
  snapshot(): Promise<void> {
    const run = this.exclusive.then(() => this.writeSnapshot());
    this.exclusive = run.catch(() => undefined);
    return run;
  }

  private async writeSnapshot(): Promise<void> {
    const seq = this.state.lastSeq;
    if (seq === this.snapshotSeq) return;
    const started = Date.now();
    this.held = [];
    let bytes: Buffer;
    try {
      const steps = encodeHeadSnapshotSteps(this.state.partition, seq, this.state.tenantStates(), {
        exemplars: this.state.exemplars.entries(),
        metadata: this.state.families(),
      });
      for (;;) {
        const until = performance.now() + SLICE_MS;
        let step = steps.next();
        // The clock is read every 64 series: reading it per series would cost more than a series.
        for (let n = 1; !step.done; n++) {
          if ((n & 63) === 0 && performance.now() >= until) break;
          step = steps.next();
        }
        if (step.done) {
          bytes = step.value;
          break;
        }
        await nextTurn();
      }
    } finally {
      await this.releaseHeld();
    }
    await this.snapshots.write(this.state.partition, bytes);
    this.snapshotSeq = seq;
    this.observer.snapshotted(this.state.partition, bytes.length, (Date.now() - started) / 1000);
  }

  /** Applies the held deliveries in order, in slices; later ones queue behind them until it ends. */
  private async releaseHeld(): Promise<void> {
    const held = this.held ?? [];
    for (let i = 0; i < held.length;) {
      const until = performance.now() + SLICE_MS;
      while (i < held.length && performance.now() < until) {
        held[i++]();
      }
      if (i < held.length) await nextTurn();
    }
    this.held = null;
  }

  /** Stops serving; with `persist`, writes a final snapshot after the last applied message. */
  async stop(persist: boolean): Promise<void> {
    this.stopped = true;
    await this.server?.stop();
    await this.resyncing;
    await this.consumer?.stop();
    // An upload in flight finishes (or fails) before the partition can belong to someone else's cut.
    await this.cutting.catch(() => undefined);
    if (persist) await this.snapshot();
  }
}
