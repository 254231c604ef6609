import { z } from 'zod';

const count = z
  .number()
  .int('must be an integer')
  .nonnegative('must be >= 0')
  .max(Number.MAX_SAFE_INTEGER);
const seconds = count;

/**
 * A tenant's limits. Zero means "no limit" for every field except the ingestion rate, where zero
 * means "no ingestion", so that suspending writes does not need a separate switch.
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
    modelStorageBytes: count,
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
  modelStorageBytes: 50 * 1024 ** 3,
};
