import { Inject, Injectable } from '@nestjs/common';
import { LogsStreams, type QuotaSpec, StrataError } from '@strata/contracts';
import {
  type LogAdmission,
  type LogBatchDraft,
  LogLimiter,
  type LineRules,
  lineBytes,
  storeLogBatches,
  type StoredLogBatches,
} from '@strata/log-sources';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions, type LogSourcesConfig } from '../gateway.options';
import { LogSourceMetrics } from './log-source-metrics';
import { DEFAULT_LOG_SOURCES } from './log-sources.defaults';

/** How long a tenant's quota is used before it is asked again. */
const QUOTA_TTL_MS = 10_000;

/**
 * The log sources' one way into `STRATA_LOGS`: the tenant's log limits (daily bytes and rate, from
 * its quota, counted in this gateway process), then the batches stored and acknowledged by
 * JetStream. What a refused or failed request took is given back, so only stored bytes count.
 */
@Injectable()
export class LogIngest {
  readonly config: LogSourcesConfig;
  readonly rules: LineRules;
  private readonly limiter = new LogLimiter();
  private stream: Promise<void> | null = null;
  private readonly quotas = new Map<string, { quota: Promise<QuotaSpec>; at: number }>();

  constructor(
    @Inject(GATEWAY_OPTIONS) private readonly options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
    readonly metrics: LogSourceMetrics,
  ) {
    this.config = options.config.logs ?? DEFAULT_LOG_SOURCES;
    this.rules = { maxLineBytes: this.config.maxLineBytes };
  }

  /** Takes `bytes` from the tenant's limits, or says which limit refused. */
  async admit(tenantId: string, bytes: number, requestId: string): Promise<LogAdmission> {
    const quota = await this.quota(tenantId, requestId);
    return this.limiter.take(tenantId, bytes, quota);
  }

  /** Gives back bytes `admit` took for records that were then not stored. */
  refund(tenantId: string, bytes: number): void {
    this.limiter.refund(tenantId, bytes);
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
      this.refund(draft.tenantId, bytes);
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
