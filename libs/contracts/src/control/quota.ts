import { z } from 'zod';

const count = z
  .number()
  .int('must be an integer')
  .nonnegative('must be >= 0')
  .max(Number.MAX_SAFE_INTEGER);
const seconds = count;

/**
 * A tenant's limits. Zero means "no limit" for every field except the ingestion rates (samples
 * and log bytes), where zero means "no ingestion" (so that suspending writes does not need a separate switch), and the
 * out-of-order window, where zero means "no out-of-order samples", as in Prometheus.
 */
export const QuotaSpec = z
  .object({
    maxActiveSeries: count,
    ingestionRateSamplesPerSecond: z.number().nonnegative('must be >= 0').finite(),
    ingestionBurstSamples: count,
    maxLabelsPerSeries: count,
    maxSeriesPerQuery: count,
    maxSamplesPerQuery: count,
    maxQueryRangeSeconds: seconds,
    retentionRawSeconds: seconds,
    retention5mSeconds: seconds,
    retention1hSeconds: seconds,
    logBytesPerDay: count,
    /** Sustained bytes of log lines per second the log sources accept (Loki's `ingestion_rate_mb`); 0: no log ingestion. */
    logIngestionRateBytesPerSecond: z.number().nonnegative('must be >= 0').finite(),
    /** Bytes of log lines a burst may take above the rate (Loki's `ingestion_burst_size_mb`). */
    logIngestionBurstBytes: count,
    modelStorageBytes: count,
    /**
     * How far ahead of the router's clock a sample may be (Mimir's `creation_grace_period`); later
     * samples are refused with `sample_too_far_in_future`. 0: no check.
     */
    creationGracePeriodSeconds: seconds,
    /**
     * How far behind the router's clock a sample may be; older samples are refused with
     * `sample_too_old`. 0, and anything beyond it, means the heads' retention
     * (`STRATA_INGEST_MAX_AGE_SECONDS`): older data would be truncated, so it is never acknowledged.
     */
    pastGracePeriodSeconds: seconds,
    /**
     * Out-of-order window of the tenant's heads (Prometheus' `out_of_order_time_window`): a sample
     * older than its series' newest one is kept when within this much of the tenant's newest sample
     * (at most the heads' retention).
     */
    outOfOrderTimeWindowSeconds: seconds,
    /**
     * Kubernetes events and audit events per second the tenant may send, both kinds together
     * (a token bucket per events-service instance); a batch over it gets 429 and nothing is stored.
     * 0: no limit.
     */
    eventsRatePerSecond: z.number().nonnegative('must be >= 0').finite(),
    /** Events the bucket holds (the largest batch that can pass at once). 0: as many as one second's rate. */
    eventsBurst: count,
    /**
     * How long the tenant's archived events and audit events are kept; at most the platform's
     * `STRATA_EVENTS_RETENTION_DAYS`, which is also what 0 means.
     */
    eventsRetentionSeconds: seconds,
  })
  .strict();
export type QuotaSpec = z.infer<typeof QuotaSpec>;

/** Updates name only the fields they change. */
export const QuotaPatch = QuotaSpec.partial().strict();
export type QuotaPatch = z.infer<typeof QuotaPatch>;

/** Limits a new tenant starts with, close to Mimir's defaults. */
export const DEFAULT_QUOTA: QuotaSpec = {
  maxActiveSeries: 150_000,
  ingestionRateSamplesPerSecond: 10_000,
  ingestionBurstSamples: 200_000,
  maxLabelsPerSeries: 30,
  maxSeriesPerQuery: 100_000,
  maxSamplesPerQuery: 50_000_000,
  maxQueryRangeSeconds: 32 * 24 * 3600,
  retentionRawSeconds: 15 * 24 * 3600,
  retention5mSeconds: 90 * 24 * 3600,
  retention1hSeconds: 365 * 24 * 3600,
  logBytesPerDay: 10 * 1024 ** 3,
  logIngestionRateBytesPerSecond: 4 * 1024 ** 2,
  logIngestionBurstBytes: 6 * 1024 ** 2,
  modelStorageBytes: 50 * 1024 ** 3,
  creationGracePeriodSeconds: 10 * 60,
  pastGracePeriodSeconds: 0,
  outOfOrderTimeWindowSeconds: 0,
  // kube-apiserver's webhook throttle sends at most 10 batches of 400 per second, 15 at once.
  eventsRatePerSecond: 5_000,
  eventsBurst: 20_000,
  eventsRetentionSeconds: 0,
};
