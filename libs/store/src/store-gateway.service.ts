import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BUS_ROUTES, type BusRoutes, type Stoppable } from '@strata/bus';
import { type StoreRequest, Subjects, SubjectPatterns, storeTimeRange } from '@strata/contracts';
import { type Bucket, bucketConfigFromEnv, openBucket } from '@strata/objstore';
import { InjectPlatformConfig, type PlatformConfig, ReadinessRegistry } from '@strata/service-kit';
import { BlockCatalog } from './blocks/block-catalog';
import { OpenBlocks } from './blocks/open-blocks';
import { type StoreGatewayResponse, answerFromBlocks } from './query/block-store-answer';
import {
  type StoreGatewaySettings,
  ownsTenant,
  storeGatewaySettings,
} from './store-gateway.settings';

/**
 * Runs a store gateway: lists the bucket every `STRATA_STORE_SYNC_INTERVAL_SECONDS` for the blocks
 * of the tenants its shard owns, and opens its shard's Store API subject once the first listing is in.
 */
@Injectable()
export class StoreGatewayService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('StoreGateway');
  private readonly settings: StoreGatewaySettings;
  private readonly bucket: Bucket;
  private readonly catalog: BlockCatalog;
  private readonly blocks: OpenBlocks;
  private server: Stoppable | null = null;
  private timer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();
  private synced = false;
  private stopped = false;

  constructor(
    @Inject(BUS_ROUTES) private readonly routes: BusRoutes,
    @InjectPlatformConfig() config: PlatformConfig,
    readiness: ReadinessRegistry,
  ) {
    this.settings = storeGatewaySettings(config);
    this.bucket = openBucket(bucketConfigFromEnv(config));
    this.catalog = new BlockCatalog(
      this.bucket,
      (t) => ownsTenant(this.settings, t),
      this.settings.ignoreDeletionMarksDelayMs,
    );
    this.blocks = new OpenBlocks(this.bucket, {
      maxOpenBlocks: this.settings.maxOpenBlocks,
      indexHeaderBytes: this.settings.indexHeaderBytes,
      indexRangeBytes: this.settings.indexRangeBytes,
      chunkPageBytes: this.settings.chunkPageBytes,
    });
    readiness.register('store-blocks', () =>
      this.synced
        ? { ok: true }
        : { ok: false, detail: `first listing of ${this.bucket.name} not done` },
    );
  }

  async onApplicationBootstrap(): Promise<void> {
    // Serve only once a listing is in: an empty answer before it would be a wrong one. A bucket
    // that is unreachable at boot is retried every interval instead of failing the process.
    await this.syncAndServe();
    let busy = false;
    this.timer = setInterval(() => {
      // A listing slower than the interval is not overlapped by the next one.
      if (busy) return;
      busy = true;
      this.syncing = this.syncAndServe().finally(() => (busy = false));
    }, this.settings.syncIntervalMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.server?.stop();
    await this.syncing;
    this.blocks.clear();
    await this.bucket.close();
  }

  private async syncAndServe(): Promise<void> {
    try {
      await this.sync();
    } catch (e) {
      this.log.error(
        `listing ${this.bucket.name} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
      return;
    }
    if (this.server || this.stopped) return;
    this.server = this.routes.open(
      SubjectPatterns.storeQuery('store'),
      Subjects.storeQuery('store', this.settings.subjectShard),
    );
    this.log.log(
      `serving ${this.catalog.size} blocks of ${this.bucket.name} on shard ${this.settings.shard}/${this.settings.shards}, time partition ${this.settings.timePartition}`,
    );
  }

  private async sync(): Promise<void> {
    const r = await this.catalog.sync();
    for (const b of r.removed) this.blocks.drop(b.tenant, b.ulid);
    for (const f of r.failed) this.log.warn(`block ${f.tenant}/${f.ulid} not served: ${f.reason}`);
    if (r.added.length > 0 || r.removed.length > 0)
      this.log.log(
        `${r.blocks} blocks of ${r.tenants} tenants (+${r.added.length}, -${r.removed.length})`,
      );
    this.synced = true;
  }

  /** Answers a Store API request from the blocks of the owned tenants. */
  query(request: StoreRequest): Promise<StoreGatewayResponse> {
    return answerFromBlocks(
      {
        blocksFor: (tenant, mint, maxt) => this.catalog.blocksFor(tenant, mint, maxt),
        open: (b) => this.blocks.get(b.tenant, b.ulid),
        timeRange: () =>
          storeTimeRange(this.settings.timeBoundaries, this.settings.timePartition, Date.now()),
      },
      request,
    );
  }
}
