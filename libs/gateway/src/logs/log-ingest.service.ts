import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { KvBuckets, LogsStreams, type QuotaSpec, StrataError } from '@strata/contracts';
import {
  type LogAdmission,
  type LogBatchDraft,
  LogLimiter,
  type LineRules,
  lineBytes,
  SharedDailyBytes,
  storeLogBatches,
  type StoredLogBatches,
} from '@strata/log-sources';
import { ReplicaCount } from '@strata/service-kit';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions, type LogSourcesConfig } from '../gateway.options';
import { LogSourceMetrics } from './log-source-metrics';
import { DEFAULT_LOG_SOURCES } from './log-sources.defaults';

/** How long a tenant's quota is used before it is asked again. */
const QUOTA_TTL_MS = 10_000;

/** What the limits share with the other gateway replicas through NATS KV. */
interface SharedLimits {
  replicas: ReplicaCount;
  days: SharedDailyBytes;
}

/**
 * The log sources' one way into `STRATA_LOGS`: the tenant's log limits (daily bytes and rate, from
 * its quota), then the batches stored and acknowledged by JetStream. What a refused or failed
 * request took is given back, so only stored bytes count. With NATS KV the limits hold across
 * gateway replicas: each admits 1/N of the rate and burst (replicas counted in
 * `STRATA_GATEWAY_MEMBERS`) and the day's bytes are one compare-and-set total in
 * `STRATA_LOG_DAILY_BYTES`; without it they hold in this process.
 */
@Injectable()
export class LogIngest implements OnModuleDestroy {
  readonly config: LogSourcesConfig;
  readonly rules: LineRules;
  private readonly limiter: LogLimiter;
  private stream: Promise<void> | null = null;
  private shared: Promise<SharedLimits> | null = null;
  private readonly quotas = new Map<string, { quota: Promise<QuotaSpec>; at: number }>();

  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
    readonly metrics: LogSourceMetrics,
  ) {
    this.config = options.config.logs ?? DEFAULT_LOG_SOURCES;
    this.rules = { maxLineBytes: this.config.maxLineBytes };
    this.limiter = new LogLimiter(Date.now, options.kv === undefined);
  }

  /** Takes `bytes` from the tenant's limits, or says which limit refused. */
  async admit(tenantId: string, bytes: number, requestId: string): Promise<LogAdmission> {
    const quota = await this.quota(tenantId, requestId);
    const shared = await this.sharedLimits();
    if (shared === null) return this.limiter.take(tenantId, bytes, quota);
    // The rate first: it is local and refuses without a round trip to the shared day.
    const rate = this.limiter.take(tenantId, bytes, quota, shared.replicas.count());
    if (!rate.ok) return rate;
    const day = await shared.days.take(tenantId, bytes, quota).catch((error: unknown) => {
      this.limiter.refund(tenantId, bytes);
      throw new StrataError(
        'unavailable',
        `the tenant's log day total is unreachable: ${String(error)}`,
      );
    });
    if (!day.ok) this.limiter.refund(tenantId, bytes);
    return day;
  }

  /** Gives back bytes `admit` took for records that were then not stored. */
  async refund(tenantId: string, bytes: number, requestId: string): Promise<void> {
    this.limiter.refund(tenantId, bytes);
    if (this.options.kv === undefined) return;
    try {
      const shared = await this.sharedLimits();
      const quota = await this.quota(tenantId, requestId);
      await shared?.days.refund(tenantId, bytes, quota);
    } catch {
      // A refund that does not reach the bucket leaves the bytes counted: the tenant loses them, not the cap.
    }
  }

  async onModuleDestroy(): Promise<void> {
    const shared = await this.shared?.catch(() => null);
    await shared?.replicas.stop();
  }

  // Opened on first use, not at boot, so the edge starts while JetStream is still coming up.
  private sharedLimits(): Promise<SharedLimits | null> {
    const kv = this.options.kv;
    if (kv === undefined) return Promise.resolve(null);
    this.shared ??= (async () => {
      const replicas = new ReplicaCount(
        kv,
        KvBuckets.gatewayMembers,
        `gateway-${randomUUID()}`,
        'gateway',
      );
      await replicas.start();
      // Older days expire on their own: nothing reads a day once it is over.
      const bucket = await kv.openKv(KvBuckets.logDailyBytes, {
        ttlMs: 2 * 86_400_000,
        history: 1,
      });
      return { replicas, days: new SharedDailyBytes(bucket) };
    })().catch((error: unknown) => {
      this.shared = null;
      throw new StrataError(
        'unavailable',
        `the shared log limits are unreachable: ${String(error)}`,
      );
    });
    return this.shared;
  }

  /** Stores already admitted records; on failure the caller refunds. */
  async store(draft: LogBatchDraft): Promise<StoredLogBatches> {
    // Declared on first use, not at boot, so the edge starts while JetStream is still coming up.
    this.stream ??= this.options.bus
      .ensureStream({ ...LogsStreams.batches, subjects: [...LogsStreams.batches.subjects] })
      .catch((error: unknown) => {
        this.stream = null;
        throw error;
      });
    await this.stream;
    const stored = await storeLogBatches(this.options.bus, draft);
    this.metrics.stored(
      draft.source,
      draft.tenantId,
      draft.records.length,
      lineBytes(draft.records),
    );
    return stored;
  }

  /** Admits and stores a whole request, or throws `rate_limited` (nothing stored) or the bus's error. */
  async ingest(draft: LogBatchDraft, requestId: string): Promise<StoredLogBatches> {
    const bytes = lineBytes(draft.records);
    const admission = await this.admit(draft.tenantId, bytes, requestId);
    if (!admission.ok) {
      this.metrics.refused(draft.source, draft.tenantId, admission.reason, draft.records.length);
      throw new StrataError('rate_limited', admission.message, undefined, {
        reason: admission.reason,
        retryAfterSeconds: admission.retryAfterSeconds,
      });
    }
    try {
      return await this.store(draft);
    } catch (error) {
      await this.refund(draft.tenantId, bytes, requestId);
      throw new StrataError(
        'unavailable',
        `the log batch was not stored: ${String(error)}`,
        undefined,
        {
          cause: error,
        },
      );
    }
  }

  private quota(tenantId: string, requestId: string): Promise<QuotaSpec> {
    const cached = this.quotas.get(tenantId);
    if (cached && Date.now() - cached.at < QUOTA_TTL_MS) return cached.quota;
    const quota = this.controlPlane
      .query({ type: 'GetQuota', tenantId }, requestId)
      .then((view) => view.quota);
    this.quotas.set(tenantId, { quota, at: Date.now() });
    quota.catch(() => this.quotas.delete(tenantId));
    return quota;
  }
}
