import { join } from 'node:path';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  BUS,
  BUS_ROUTES,
  KV,
  type Bus,
  type BusRoutes,
  type KvBucket,
  type KvProvider,
} from '@strata/bus';
import { type ActiveSeriesReport, KvBuckets, ingestStreamSpec } from '@strata/contracts';
import {
  INSTANCE_IDENTITY,
  type InstanceIdentity,
  InjectPlatformConfig,
  type PlatformConfig,
  ReadinessRegistry,
  StrataMetrics,
} from '@strata/service-kit';
import { type Bucket, bucketConfigFromEnv, openBucket } from '@strata/objstore';
import { type BlockShipping } from './blocks/block-cutter';
import { ShippedStore } from './blocks/shipped-record';
import { type IngesterObserver, ingesterMetrics } from './ingester.metrics';
import { PartitionLeases } from './leases/partition-leases';
import { PartitionRunner } from './partition.runner';
import { SnapshotStore } from './snapshot/snapshot.store';

const REPORT_INTERVAL_MS = 5_000;
/** Ingestion rates are averaged over ticks of this length, as Mimir's ingesters do. */
const RATE_TICK_MS = 15_000;
/** Must match the routers' view of the bucket (`ACTIVE_SERIES_BUCKET_OPTIONS` in the router). */
const ACTIVE_SERIES_TTL_MS = 60_000;
/** Due block ranges are looked for this often (a quarter block), within these bounds. */
const MIN_CUT_INTERVAL_MS = 1_000;
const MAX_CUT_INTERVAL_MS = 30_000;

/**
 * Runs the ingester: holds partition leases, runs a {@link PartitionRunner} per owned partition,
 * snapshots heads every `STRATA_SNAPSHOT_INTERVAL_SECONDS` and on shutdown, and reports active
 * series per tenant for the routers' limits.
 */
@Injectable()
export class IngesterService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Ingester');
  private readonly runners = new Map<number, PartitionRunner>();
  private readonly observer: IngesterObserver;
  private readonly snapshots: SnapshotStore;
  private leases: PartitionLeases | null = null;
  private reports: KvBucket | null = null;
  private timers: NodeJS.Timeout[] = [];
  private snapshotting: Promise<void> = Promise.resolve();
  private cutting: Promise<void> = Promise.resolve();
  private readonly bucket: Bucket;
  private readonly shipping: BlockShipping;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(BUS_ROUTES) private readonly routes: BusRoutes,
    @Inject(KV) private readonly kv: KvProvider,
    @InjectPlatformConfig() private readonly config: PlatformConfig,
    @Inject(INSTANCE_IDENTITY) private readonly identity: InstanceIdentity,
    metrics: StrataMetrics,
    readiness: ReadinessRegistry,
  ) {
    this.observer = ingesterMetrics(metrics);
    this.snapshots = new SnapshotStore(config.STRATA_DATA_DIR);
    this.bucket = openBucket(bucketConfigFromEnv(config));
    this.shipping = {
      bucket: this.bucket,
      shipped: new ShippedStore(config.STRATA_DATA_DIR),
      duration: config.STRATA_BLOCK_DURATION,
      scratchDir: join(config.STRATA_DATA_DIR, 'ingester', 'blocks'),
    };
    // Ready once every owned partition has replayed what the stream held when it was taken over.
    readiness.register('ingest-partitions', () => {
      const replaying = [...this.runners].filter(([, r]) => !r.caughtUp).map(([p]) => p);
      return replaying.length === 0
        ? { ok: true }
        : { ok: false, detail: `replaying partitions ${replaying.join(', ')}` };
    });
  }

  /** The runner of `partition` while this instance owns it. */
  runnerOf(partition: number): PartitionRunner | undefined {
    return this.runners.get(partition);
  }

  async onApplicationBootstrap(): Promise<void> {
    const bus = this.bus;
    await bus.ensureStream(
      ingestStreamSpec({
        maxAgeSeconds: this.config.STRATA_INGEST_MAX_AGE_SECONDS,
        maxBytes: this.config.STRATA_INGEST_MAX_BYTES,
      }),
    );
    this.reports = await this.kv.openKv(KvBuckets.activeSeries, {
      ttlMs: ACTIVE_SERIES_TTL_MS,
      history: 1,
    });
    const ttlMs = this.config.STRATA_LEASE_TTL_SECONDS * 1000;
    const bucket = await this.kv.openKv(KvBuckets.ingestLeases, { ttlMs, history: 1 });
    this.leases = new PartitionLeases(
      bucket,
      this.identity.instanceId,
      this.config.STRATA_INGEST_PARTITIONS,
      ttlMs,
      {
        acquired: async (p, revision) => {
          this.runners.set(
            p,
            await PartitionRunner.start(p, revision, {
              bus,
              routes: this.routes,
              snapshots: this.snapshots,
              observer: this.observer,
              // Chunks never span a block boundary, so a block reuses the head's chunks as they are.
              headOptions: { chunkRange: this.config.STRATA_BLOCK_DURATION },
              blocks: this.shipping,
              exemplarsPerTenant: Math.ceil(
                this.config.STRATA_MAX_EXEMPLARS_PER_TENANT / this.config.STRATA_INGEST_PARTITIONS,
              ),
            }),
          );
          this.observer.owned([...this.runners.keys()]);
        },
        released: async (p, voluntary) => {
          const runner = this.runners.get(p);
          this.runners.delete(p);
          this.observer.owned([...this.runners.keys()]);
          // A lost lease may already belong to a peer sharing this data dir; only an orderly release persists.
          await runner?.stop(voluntary);
        },
      },
    );
    await this.leases.start();
    const every = (ms: number, f: () => Promise<void>) =>
      this.timers.push(
        setInterval(() => void f().catch((e: unknown) => this.log.warn(String(e))), ms),
      );
    every(this.config.STRATA_SNAPSHOT_INTERVAL_SECONDS * 1000, () => this.snapshotAll());
    every(REPORT_INTERVAL_MS, () => this.report());
    const cutEvery = Math.min(
      MAX_CUT_INTERVAL_MS,
      Math.max(MIN_CUT_INTERVAL_MS, this.config.STRATA_BLOCK_DURATION / 4),
    );
    every(cutEvery, () => this.cutAll());
    every(RATE_TICK_MS, () => {
      for (const runner of this.runners.values()) runner.state.tickRates(RATE_TICK_MS / 1000);
      return Promise.resolve();
    });
  }

  async onModuleDestroy(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    await this.snapshotting;
    await this.cutting;
    await this.leases?.stop();
    await this.bucket.close();
  }

  /** The runners of owned partitions (tests and the Store API use them). */
  ownedPartitions(): ReadonlyMap<number, PartitionRunner> {
    return this.runners;
  }

  /** Snapshots every owned partition, one at a time so two encodings never hold memory at once. */
  snapshotAll(): Promise<void> {
    // The heads are bounded by their blocks: a tenant's head drops a range once it is shipped
    // (keeping the last one), never by age alone, which would lose what an idle tenant did not ship.
    this.snapshotting = this.snapshotting.then(async () => {
      for (const runner of [...this.runners.values()]) {
        await runner
          .snapshot()
          .catch((e: unknown) => this.log.error(`snapshot failed: ${String(e)}`));
      }
    });
    return this.snapshotting;
  }

  /** Cuts and ships the due block ranges of every owned partition, one partition at a time. */
  cutAll(): Promise<void> {
    this.cutting = this.cutting.then(async () => {
      for (const runner of [...this.runners.values()]) {
        await runner
          .cutBlocks()
          .catch((e: unknown) => this.log.error(`block cut failed, retried later: ${String(e)}`));
      }
    });
    return this.cutting;
  }

  private async report(): Promise<void> {
    const total = new Map<string, number>();
    for (const [p, runner] of this.runners) {
      const tenants: Record<string, number> = {};
      for (const [tenant, n] of runner.state.activeSeriesByTenant()) {
        tenants[tenant] = n;
        total.set(tenant, (total.get(tenant) ?? 0) + n);
      }
      const report: ActiveSeriesReport = {
        partition: p,
        owner: this.identity.instanceId,
        at: Date.now(),
        tenants,
      };
      await this.reports?.put(KvBuckets.partitionKey(p), report);
      this.observer.lag(p, await runner.lag().catch(() => 0));
    }
    this.observer.activeSeries(total);
  }
}
