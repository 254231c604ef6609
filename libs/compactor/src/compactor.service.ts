import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { BUS, BusClient, KV, type Bus, type KvProvider } from '@strata/bus';
import { listTenants } from '@strata/blocks';
import {
  type ControlQueryResults,
  KvBuckets,
  StrataError,
  Subjects,
  storeShardOfTenant,
} from '@strata/contracts';
import { type Bucket, bucketConfigFromEnv, openBucket } from '@strata/objstore';
import { InjectPlatformConfig, type PlatformConfig, StrataMetrics } from '@strata/service-kit';
import { type CompactorObserver, compactorMetrics } from './compactor.metrics';
import { type CompactorSettings, compactorSettings } from './compactor.settings';
import { type Retention } from './cycle/retention';
import { runTenantCycle } from './cycle/tenant-cycle';
import { TenantLeases } from './leases/tenant-lease';

/** Time-to-live of a tenant lease; renewed every third of it while the tenant is compacted. */
const LEASE_TTL_MS = 30_000;

/**
 * Runs the compactor: every `STRATA_COMPACTOR_INTERVAL_SECONDS`, for each tenant of the bucket
 * that its shard owns and whose lease it gets, one cycle (retention from the tenant's quota,
 * garbage collection, compactions). A halted tenant stays halted until the process restarts.
 */
@Injectable()
export class CompactorService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Compactor');
  private readonly settings: CompactorSettings;
  private readonly bucket: Bucket;
  private readonly observer: CompactorObserver;
  private readonly halted = new Map<string, string>();
  private leases: TenantLeases | null = null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KV) private readonly kv: KvProvider,
    @InjectPlatformConfig() config: PlatformConfig,
    metrics: StrataMetrics,
  ) {
    this.settings = compactorSettings(config);
    this.bucket = openBucket(bucketConfigFromEnv(config));
    this.observer = compactorMetrics(metrics);
  }

  async onApplicationBootstrap(): Promise<void> {
    const bucket = await this.kv.openKv(KvBuckets.compactorLeases, {
      ttlMs: LEASE_TTL_MS,
      history: 1,
    });
    this.leases = new TenantLeases(bucket, `compactor-${randomUUID()}`, LEASE_TTL_MS);
    let busy = false;
    const tick = () => {
      if (busy || this.stopped) return;
      busy = true;
      this.running = this.cycle().finally(() => (busy = false));
    };
    this.timer = setInterval(tick, this.settings.intervalMs);
    this.timer.unref();
    tick();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
    await this.bucket.close();
  }

  /** One pass over the owned tenants; a failure of one tenant does not stop the others. */
  async cycle(): Promise<void> {
    let tenants: string[];
    try {
      tenants = await listTenants(this.bucket);
    } catch (e) {
      this.log.error(`listing ${this.bucket.name} failed: ${message(e)}`);
      return;
    }
    for (const tenant of tenants) {
      if (this.stopped) return;
      if (storeShardOfTenant(tenant, this.settings.shards) !== this.settings.shard) continue;
      if (this.halted.has(tenant)) continue;
      const lease = await this.leases?.acquire(tenant);
      if (!lease) continue;
      try {
        const retention = await this.retentionOf(tenant);
        const r = await runTenantCycle(this.bucket, tenant, this.settings.cycle, retention);
        this.observer.cycled(tenant, r);
        for (const c of r.compactions)
          this.log.log(
            `${tenant}: compacted ${c.sources} blocks into ${c.ulid} (level ${c.level}) in ${c.seconds.toFixed(1)}s`,
          );
        if (r.marked.retention > 0)
          this.log.log(
            `${tenant}: ${r.marked.retention} blocks past retention marked for deletion`,
          );
        if (r.deleted > 0) this.log.log(`${tenant}: deleted ${r.deleted} marked blocks`);
        for (const w of r.rewrites)
          this.log.log(
            `${tenant}: rewrote ${w.from} into ${w.ulid ?? 'nothing'} without ${w.removedSamples} samples of deletion ${w.requests.join(', ')}`,
          );
        for (const id of r.deletionsApplied) this.log.log(`${tenant}: deletion ${id} applied`);
        for (const b of r.noCompact)
          this.log.debug(`${tenant}: ${b.ulid} not compacted (no-compact mark: ${b.reason})`);
        if (r.halted !== undefined) {
          this.halted.set(tenant, r.halted);
          this.log.error(
            `${tenant}: compaction HALTED, nothing more is compacted for this tenant until an operator repairs the bucket and restarts the compactor: ${r.halted}`,
          );
        }
      } catch (e) {
        this.observer.failed(tenant);
        this.log.error(`${tenant}: cycle failed, retried next interval: ${message(e)}`);
      } finally {
        await lease.release();
      }
    }
  }

  /** The tenant's retention from its quota; the configured default for a tenant the control plane does not know. */
  private async retentionOf(tenant: string): Promise<Retention> {
    try {
      // The reply's type follows the query's type, which the subject map cannot express.
      const { quota } = (await new BusClient(this.bus).ask(
        Subjects.controlQuery,
        { query: { type: 'GetQuota', tenantId: tenant }, requestId: `compactor-${randomUUID()}` },
        { timeoutMs: 5_000 },
      )) as ControlQueryResults['GetQuota'];
      return {
        rawSeconds: quota.retentionRawSeconds,
        fiveMinutesSeconds: quota.retention5mSeconds,
        oneHourSeconds: quota.retention1hSeconds,
      };
    } catch (e) {
      if (e instanceof StrataError && (e.code === 'not_found' || e.code === 'tenant_unknown'))
        return this.settings.defaultRetention;
      // Without the quota nothing is deleted for retention this cycle: guessing could delete data.
      this.log.warn(`${tenant}: quota not available, retention skipped this cycle: ${message(e)}`);
      return { rawSeconds: 0, fiveMinutesSeconds: 0, oneHourSeconds: 0 };
    }
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
