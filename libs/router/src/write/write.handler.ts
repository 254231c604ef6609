import { createHash } from 'node:crypto';
import { type Bus } from '@strata/bus';
import {
  type RouterWriteMeta,
  type RouterWriteRefusal,
  type RouterWriteRequest,
  type RouterWriteResponse,
  SAMPLE_REFUSAL_REASONS,
  StrataError,
} from '@strata/contracts';
import { RemoteWriteError, type ValidationOptions } from '@strata/remote-write';
import { type ActiveSeriesTracker } from '../limits/active-series.tracker';
import { type TenantLimitsCache } from '../limits/tenant-limits.cache';
import { type TokenBuckets } from '@strata/service-kit';
import { InlineWriteCodec, type WriteCodec } from './codec/write-codec';
import { PartitionBatcher } from './partition-batcher';
import { type SampleWindow, type WindowRefusals, sampleWindow } from './sample-window';

/** Limits that are the same for every tenant. */
export interface RouterLimits {
  partitions: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxSeriesPerRequest: number;
  /** Largest ingest message; below the server's max_payload so the bus never chunks one. */
  maxMessageBytes: number;
  /** How far back the heads keep samples (`STRATA_INGEST_MAX_AGE_SECONDS`): the oldest a write may reach. */
  headRetentionSeconds: number;
  /** Most writes' parts one stream message may hold (`STRATA_INGEST_BATCH_WRITES`; 1: no batching). */
  batchWrites?: number;
}

/** What the write path reports to metrics; tenants are label values, so they are never invented here. */
export interface WriteObserver {
  accepted(tenant: string, stats: RouterWriteResponse): void;
  rejected(tenant: string, reason: string, samples: number): void;
  /** Samples left out of a write that was otherwise stored (answered 400 with the written counts). */
  discarded(tenant: string, reason: string, samples: number): void;
  published(seconds: number): void;
  /** A stream message went out holding this many writes' parts for one partition. */
  batched?(parts: number): void;
}

/**
 * The router's write path: admit the tenant, decode and validate the body, apply the tenant's
 * limits, label every series with the tenant, split by series hash and publish each partition's
 * part to the ingest stream under a deterministic message id, answering only once JetStream
 * stored every part. Parts for one partition from concurrent writes share a stream message
 * (`PartitionBatcher`); a write is checked and refused on its own before that, so one tenant's
 * refused write never touches another's. A retried request publishes the same ids, so JetStream
 * stores it once unless it was batched with others; then the heads take the repeated samples as
 * no-ops, as Prometheus does.
 */
export class WriteHandler {
  private readonly batcher: PartitionBatcher;

  constructor(
    bus: Bus,
    private readonly tenants: TenantLimitsCache,
    private readonly buckets: TokenBuckets,
    private readonly activeSeries: ActiveSeriesTracker,
    private readonly limits: RouterLimits,
    private readonly observer: WriteObserver,
    /** Healthy router instances sharing the tenants' rates (1 when unknown). */
    private readonly routers: () => number = () => 1,
    private readonly codec: WriteCodec = new InlineWriteCodec(),
    private readonly now: () => number = Date.now,
  ) {
    this.batcher = new PartitionBatcher(
      bus,
      limits.maxMessageBytes,
      limits.batchWrites ?? 1,
      observer.batched ? (n) => observer.batched?.(n) : undefined,
    );
  }

  /** Handles one forwarded remote write; throws a StrataError whose code maps to the HTTP status. */
  write(request: RouterWriteRequest): Promise<RouterWriteResponse> {
    const { body, ...meta } = request;
    return this.writeBody(meta, Buffer.from(body, 'base64'));
  }

  /** Handles one remote write whose body arrived as bytes (`Subjects.routerWriteBinary`). */
  async writeBody(request: RouterWriteMeta, body: Uint8Array): Promise<RouterWriteResponse> {
    const tenantId = request.tenantId;
    let limits;
    try {
      limits = await this.tenants.admit(tenantId);
    } catch (error) {
      if (error instanceof StrataError)
        this.observer.rejected(tenantId, error.reason ?? error.code, 0);
      throw error;
    }
    const quota = limits.quota;
    const options: ValidationOptions = {
      maxLabelNameLength: this.limits.maxLabelNameLength,
      maxLabelValueLength: this.limits.maxLabelValueLength,
      maxSeriesPerRequest: this.limits.maxSeriesPerRequest,
      maxLabelsPerSeries:
        quota.maxLabelsPerSeries > 0 ? quota.maxLabelsPerSeries : Number.MAX_SAFE_INTEGER,
    };
    const window = sampleWindow(this.now(), quota, this.limits.headRetentionSeconds);
    let prepared;
    try {
      prepared = await this.codec.prepare(
        {
          tenantId,
          body,
          contentType: request.contentType,
          contentEncoding: request.contentEncoding,
          options,
          partitions: this.limits.partitions,
          maxMessageBytes: this.limits.maxMessageBytes,
          window,
          // A window longer than the heads keep data would change nothing but overflow the message field.
          settings: {
            outOfOrderWindowMs:
              Math.min(quota.outOfOrderTimeWindowSeconds, this.limits.headRetentionSeconds) * 1000,
          },
        },
        limits.injection,
      );
    } catch (error) {
      if (!(error instanceof RemoteWriteError)) throw error;
      this.observer.rejected(tenantId, error.code, 0);
      throw toStrataError(error);
    }
    const stats = prepared.stats;
    const refused = refusalOf(prepared.refused, window);
    if (prepared.messages.length === 0) return this.answer(tenantId, stats, refused);

    if (
      stats.samples > 0 &&
      quota.maxActiveSeries > 0 &&
      this.activeSeries.activeSeries(tenantId) >= quota.maxActiveSeries
    ) {
      this.observer.rejected(tenantId, 'max_active_series', stats.samples);
      throw new StrataError(
        'rate_limited',
        `tenant ${tenantId} is at its limit of ${quota.maxActiveSeries} active series`,
        undefined,
        {
          reason: 'max_active_series',
          retryAfterSeconds: 30,
        },
      );
    }
    // The quota is for the whole platform: each of N routers admits 1/N of the rate (Mimir's
    // "global" strategy); the burst stays whole so one large request still fits somewhere.
    const taken = this.buckets.take(
      tenantId,
      stats.samples,
      quota.ingestionRateSamplesPerSecond / Math.max(1, this.routers()),
      quota.ingestionBurstSamples,
    );
    if (!taken.ok) {
      this.observer.rejected(tenantId, 'rate_limited', stats.samples);
      throw new StrataError(
        'rate_limited',
        `tenant ${tenantId} exceeds its ingestion rate of ${quota.ingestionRateSamplesPerSecond} samples/s (burst ${quota.ingestionBurstSamples})`,
        undefined,
        { reason: 'ingestion_rate', retryAfterSeconds: taken.retryAfterSeconds },
      );
    }

    const writeId = createHash('sha256')
      .update(tenantId)
      .update('\0')
      .update(body)
      .digest('base64url')
      .slice(0, 32);
    const started = process.hrtime.bigint();
    const messages = prepared.messages.map(({ partition, index, data }) =>
      this.batcher.publish(partition, data, `${tenantId}.${writeId}.${partition}.${index}`),
    );
    try {
      await Promise.all(messages);
    } catch (error) {
      // Nothing is known to be stored for sure; the client retries and JetStream dedupes what was.
      this.buckets.refund(tenantId, stats.samples);
      this.observer.rejected(tenantId, 'publish_failed', stats.samples);
      throw new StrataError(
        'unavailable',
        'the ingest stream did not acknowledge the write; retry',
        undefined,
        { cause: error, reason: 'publish_failed' },
      );
    }
    this.observer.published(Number(process.hrtime.bigint() - started) / 1e9);
    this.observer.accepted(tenantId, stats);
    return this.answer(tenantId, stats, refused);
  }

  private answer(
    tenantId: string,
    stats: RouterWriteResponse,
    refused: { refusal: RouterWriteRefusal; byReason: WindowRefusals } | null,
  ): RouterWriteResponse {
    if (!refused) return stats;
    for (const reason of SAMPLE_REFUSAL_REASONS)
      if (refused.byReason[reason] > 0)
        this.observer.discarded(tenantId, reason, refused.byReason[reason]);
    return { ...stats, refused: refused.refusal };
  }
}

/** The refusal to report for samples outside the window, or null when every sample was inside. */
function refusalOf(
  byReason: WindowRefusals,
  window: SampleWindow,
): { refusal: RouterWriteRefusal; byReason: WindowRefusals } | null {
  const future = byReason.sample_too_far_in_future;
  const old = byReason.sample_too_old;
  if (future + old === 0) return null;
  const parts: string[] = [];
  if (future > 0)
    parts.push(
      `${future} sample(s) after ${new Date(window.until).toISOString()} (too far in the future)`,
    );
  if (old > 0)
    parts.push(`${old} sample(s) before ${new Date(window.from).toISOString()} (too old)`);
  return {
    byReason,
    refusal: {
      // The first reason names the code, as Mimir answers with its first error; the message has both.
      reason: future > 0 ? 'sample_too_far_in_future' : 'sample_too_old',
      message: `refused ${parts.join(' and ')}; the other samples of the write were stored`,
      samples: future + old,
    },
  };
}

/** Maps a remote write refusal to the platform's error, keeping the precise code as the reason. */
export function toStrataError(error: RemoteWriteError): StrataError {
  const status = error.httpStatus;
  const code =
    status === 415
      ? 'unsupported_media_type'
      : status === 413
        ? 'payload_too_large'
        : 'bad_request';
  return new StrataError(code, error.message, undefined, { reason: error.code });
}
