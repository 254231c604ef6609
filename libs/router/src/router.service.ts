import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BUS, KV, type Bus, type KvProvider } from '@strata/bus';
import {
  type RouterWriteMeta,
  type RouterWriteRequest,
  type RouterWriteResponse,
  type ServiceHealth,
  Subjects,
  ingestStreamSpec,
} from '@strata/contracts';
import {
  InjectPlatformConfig,
  type PlatformConfig,
  ControlEventsFeed,
  StrataMetrics,
  TokenBuckets,
} from '@strata/service-kit';
import { ActiveSeriesTracker } from './limits/active-series.tracker';
import { TenantLimitsCache } from './limits/tenant-limits.cache';
import { InlineWriteCodec, ThreadedWriteCodec, type WriteCodec } from './write/codec/write-codec';
import { WriteHandler, type WriteObserver } from './write/write.handler';

/**
 * Runs the router: declares the ingest stream, follows tenants' limits and writes what
 * `RouterController` receives into the ingest partitions.
 */
@Injectable()
export class RouterService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Router');
  private readonly tenants: TenantLimitsCache;
  private readonly activeSeries: ActiveSeriesTracker;
  private readonly codec: WriteCodec;
  private readonly handler: WriteHandler;
  private readonly feed: ControlEventsFeed;
  /** Router instances answering health, refreshed every 15 s; tenants' rates are split among them. */
  private routerCount = 1;
  private countTimer: NodeJS.Timeout | null = null;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KV) kv: KvProvider,
    @InjectPlatformConfig() private readonly config: PlatformConfig,
    metrics: StrataMetrics,
  ) {
    this.tenants = new TenantLimitsCache(bus);
    const threads = config.STRATA_ROUTER_CODEC_THREADS;
    this.codec = threads > 0 ? new ThreadedWriteCodec(threads) : new InlineWriteCodec();
    this.activeSeries = new ActiveSeriesTracker(kv);
    this.handler = new WriteHandler(
      bus,
      this.tenants,
      new TokenBuckets(),
      this.activeSeries,
      {
        partitions: config.STRATA_INGEST_PARTITIONS,
        maxLabelNameLength: config.STRATA_MAX_LABEL_NAME_LENGTH,
        maxLabelValueLength: config.STRATA_MAX_LABEL_VALUE_LENGTH,
        maxSeriesPerRequest: config.STRATA_MAX_SERIES_PER_REQUEST,
        maxMessageBytes: Math.min(512 * 1024, Math.floor(bus.maxPayload / 2)),
        headRetentionSeconds: config.STRATA_INGEST_MAX_AGE_SECONDS,
        batchWrites: config.STRATA_INGEST_BATCH_WRITES,
      },
      routerMetrics(metrics),
      () => this.routerCount,
      this.codec,
    );
    this.feed = new ControlEventsFeed(
      bus,
      (e) => this.tenants.onEvent(e),
      () => this.tenants.invalidateAll(),
    );
  }

  /** Stores a JSON write (base64 body) in the ingest stream. */
  write(request: RouterWriteRequest): Promise<RouterWriteResponse> {
    return this.handler.write(request);
  }

  /** Stores a raw remote-write body in the ingest stream. */
  writeBody(meta: RouterWriteMeta, body: Uint8Array): Promise<RouterWriteResponse> {
    return this.handler.writeBody(meta, body);
  }

  private async countRouters(): Promise<void> {
    const replies = await this.bus.requestAll<object, ServiceHealth>(
      Subjects.serviceHealth('router'),
      {},
      { maxWaitMs: 500 },
    );
    // Degraded routers still take writes (e.g. while an ingester beside them replays), so all count.
    this.routerCount = Math.max(1, replies.filter((r) => r.ok !== undefined).length);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.ensureStream(
      ingestStreamSpec({
        maxAgeSeconds: this.config.STRATA_INGEST_MAX_AGE_SECONDS,
        maxBytes: this.config.STRATA_INGEST_MAX_BYTES,
      }),
    );
    await this.activeSeries.start();
    this.feed.start();
    void this.countRouters().catch(() => undefined);
    this.countTimer = setInterval(() => void this.countRouters().catch(() => undefined), 15_000);
    this.log.log(`serving writes over ${this.config.STRATA_INGEST_PARTITIONS} partitions`);
  }

  async onModuleDestroy(): Promise<void> {
    if (this.countTimer) clearInterval(this.countTimer);
    await this.feed.stop();
    await this.activeSeries.stop();
    await this.codec.close();
  }
}

function routerMetrics(metrics: StrataMetrics): WriteObserver {
  const received = metrics.counter(
    'router_samples_received_total',
    'Samples accepted and stored in the ingest stream.',
    ['tenant'],
  );
  const exemplars = metrics.counter(
    'router_exemplars_received_total',
    'Exemplars accepted and stored in the ingest stream.',
    ['tenant'],
  );
  const rejected = metrics.counter(
    'router_samples_rejected_total',
    'Samples of refused writes (0 when the body could not be read).',
    ['tenant', 'reason'],
  );
  const requestsRejected = metrics.counter(
    'router_requests_rejected_total',
    'Writes refused, by reason.',
    ['tenant', 'reason'],
  );
  // Mimir's `cortex_discarded_samples_total`: the ingesters count their own reasons under the same name.
  const discarded = metrics.counter(
    'discarded_samples_total',
    'Samples not stored, by tenant and reason (router: refused with 400 while the rest was stored).',
    ['tenant', 'reason'],
  );
  const publish = metrics.histogram(
    'router_publish_seconds',
    'Time until JetStream acknowledged every partition of a write.',
    [],
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  );
  const batchParts = metrics.histogram(
    'router_ingest_batch_writes',
    'Writes whose parts for one partition one ingest stream message held (group commit).',
    [],
    [1, 2, 4, 8, 16, 32, 64],
  );
  return {
    batched: (parts) => batchParts.observe(parts),
    accepted: (tenant, stats) => {
      received.inc({ tenant }, stats.samples);
      if (stats.exemplars > 0) exemplars.inc({ tenant }, stats.exemplars);
    },
    rejected: (tenant, reason, samples) => {
      requestsRejected.inc({ tenant, reason });
      if (samples > 0) rejected.inc({ tenant, reason }, samples);
    },
    discarded: (tenant, reason, samples) => discarded.inc({ tenant, reason }, samples),
    published: (seconds) => publish.observe(seconds),
  };
}
