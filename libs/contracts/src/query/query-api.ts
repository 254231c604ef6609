import { z } from 'zod';
import { subjectToken } from '../subjects';

/**
 * Subjects of the query service: the gateway asks, one query instance answers (queue group `query`).
 * Kept apart from `Subjects` so the read path's contracts grow without touching the shared table.
 */
export const QuerySubjects = {
  /** PromQL at one instant. */
  instant: 'strata.query.instant.v1',
  /** PromQL over a range of steps. */
  range: 'strata.query.range.v1',
  /** Series matching selectors. */
  series: 'strata.query.series.v1',
  /** Label names. */
  labelNames: 'strata.query.labels.v1',
  /** Values of one label. */
  labelValues: 'strata.query.label-values.v1',
  /** Metric metadata (type, help, unit). */
  metadata: 'strata.query.metadata.v1',
  /** Exemplars of the series a query selects. */
  exemplars: 'strata.query.exemplars.v1',
  /** Prometheus' `/api/v1/status/tsdb` over the tenant's series. */
  tsdbStatus: 'strata.query.tsdb-status.v1',
  /** Mimir's `/api/v1/cardinality/label_names`. */
  cardinalityLabelNames: 'strata.query.cardinality-label-names.v1',
  /** Mimir's `/api/v1/cardinality/label_values`. */
  cardinalityLabelValues: 'strata.query.cardinality-label-values.v1',
  /** Mimir's `/api/v1/user_stats`, with the samples the heads discarded after acknowledging them. */
  userStats: 'strata.query.user-stats.v1',
} as const;

/** The queue group every query instance serves in. */
export const QUERY_QUEUE_GROUP = subjectToken('query');

const tenantId = z.string().min(1).max(150);
const ms = z.number().int().finite();
const limit = z.number().int().nonnegative().default(0);

/**
 * Per-tenant limits the gateway copies from the tenant's quota; 0 means no limit, as in `QuotaSpec`.
 * The query service applies them the way Mimir does (samples and series: 422, range length: 400).
 */
export const QueryLimits = z
  .object({
    maxSamplesPerQuery: z.number().int().nonnegative().default(0),
    maxSeriesPerQuery: z.number().int().nonnegative().default(0),
    maxQueryRangeSeconds: z.number().int().nonnegative().default(0),
  })
  .strict();
export type QueryLimits = z.infer<typeof QueryLimits>;

const common = {
  tenantId,
  limits: QueryLimits.optional(),
  /** Wall-clock budget of the evaluation; the service's default applies when absent. */
  timeoutMs: z.number().int().positive().optional(),
  /**
   * Thanos' partial response: answer with what the reachable stores hold, naming the others in
   * `warnings`, instead of failing; absent: the service's default (`STRATA_QUERY_PARTIAL_RESPONSE`).
   */
  partialResponse: z.boolean().optional(),
  /**
   * Thanos' `max_source_resolution`: the coarsest downsampled data to read, in ms, or `auto` (a
   * fifth of a range query's step; raw for an instant query); absent: raw data only.
   */
  maxSourceResolution: z.union([z.number().int().nonnegative(), z.literal('auto')]).optional(),
};

/** Payload on `QuerySubjects.instant`. */
export const InstantQueryRequest = z
  .object({
    ...common,
    query: z.string(),
    timeMs: ms,
    lookbackDeltaMs: z.number().int().positive().optional(),
    limit,
  })
  .strict();
export type InstantQueryRequest = z.input<typeof InstantQueryRequest>;

/** Payload on `QuerySubjects.range`. */
export const RangeQueryRequest = z
  .object({
    ...common,
    query: z.string(),
    startMs: ms,
    endMs: ms,
    stepMs: z.number().int().positive(),
    limit,
  })
  .strict();
export type RangeQueryRequest = z.input<typeof RangeQueryRequest>;

/** Payload on `QuerySubjects.series`: `match` holds the `match[]` selectors. */
export const SeriesRequest = z
  .object({ ...common, match: z.array(z.string()).min(1), startMs: ms, endMs: ms, limit })
  .strict();
export type SeriesRequest = z.input<typeof SeriesRequest>;

/** Payload on `QuerySubjects.labelNames`. */
export const LabelNamesRequest = z
  .object({ ...common, match: z.array(z.string()).default([]), startMs: ms, endMs: ms, limit })
  .strict();
export type LabelNamesRequest = z.input<typeof LabelNamesRequest>;

/** Payload on `QuerySubjects.labelValues`. */
export const LabelValuesRequest = z
  .object({
    ...common,
    name: z.string().min(1),
    match: z.array(z.string()).default([]),
    startMs: ms,
    endMs: ms,
    limit,
  })
  .strict();
export type LabelValuesRequest = z.input<typeof LabelValuesRequest>;

/** Payload on `QuerySubjects.metadata`. */
export const MetadataRequest = z
  .object({
    tenantId,
    metric: z.string().optional(),
    limit: z.number().int().default(-1),
    limitPerMetric: z.number().int().default(-1),
  })
  .strict();
export type MetadataRequest = z.input<typeof MetadataRequest>;

/** Payload on `QuerySubjects.exemplars`. */
export const ExemplarsRequest = z
  .object({ ...common, query: z.string(), startMs: ms, endMs: ms })
  .strict();
export type ExemplarsRequest = z.input<typeof ExemplarsRequest>;

/** Payload on `QuerySubjects.tsdbStatus`: `limit` entries per top list (Prometheus' default: 10). */
export const TsdbStatusRequest = z
  .object({ tenantId, limit: z.number().int().positive().default(10) })
  .strict();
export type TsdbStatusRequest = z.input<typeof TsdbStatusRequest>;

/** Payload on `QuerySubjects.userStats`. */
export const UserStatsRequest = z.object({ tenantId }).strict();
export type UserStatsRequest = z.input<typeof UserStatsRequest>;

/** Mimir's `/api/v1/user_stats` body, plus the samples the heads discarded after acknowledging them. */
export interface TenantUserStats {
  /** Series the tenant has in the heads. */
  numSeries: number;
  /** Samples per second appended, all sources together. */
  ingestionRate: number;
  /** The part of `ingestionRate` that came through the write API (all of it until rules write samples). */
  apiIngestionRate: number;
  /** The part written by recording rules (none yet: the ruler does not evaluate rules). */
  ruleIngestionRate: number;
  /** Samples acknowledged with a 204 that the tenant's heads then refused, by reason. */
  discardedSamples: Record<string, number>;
}

/** Most label names or values Mimir's cardinality endpoints list (`limit` ≤ 500). */
export const CARDINALITY_MAX_LIMIT = 500;

/** Payload on `QuerySubjects.cardinalityLabelNames`; `selector` is a PromQL series selector. */
export const CardinalityLabelNamesRequest = z
  .object({
    tenantId,
    selector: z.string().optional(),
    limit: z.number().int().min(0).max(CARDINALITY_MAX_LIMIT).default(20),
  })
  .strict();
export type CardinalityLabelNamesRequest = z.input<typeof CardinalityLabelNamesRequest>;

/** Payload on `QuerySubjects.cardinalityLabelValues`. */
export const CardinalityLabelValuesRequest = z
  .object({
    tenantId,
    labelNames: z.array(z.string().min(1)).min(1),
    selector: z.string().optional(),
    limit: z.number().int().min(0).max(CARDINALITY_MAX_LIMIT).default(20),
  })
  .strict();
export type CardinalityLabelValuesRequest = z.input<typeof CardinalityLabelValuesRequest>;

/** One entry of a `/api/v1/status/tsdb` top list. */
export interface PromTsdbStat {
  name: string;
  value: number;
}

/** The `data` of `/api/v1/status/tsdb`, Prometheus 3's shape. */
export interface PromTsdbStatus {
  headStats: {
    numSeries: number;
    numLabelPairs: number;
    chunkCount: number;
    /** Prometheus writes int64 extremes (max for minTime, min for maxTime) for an empty head. */
    minTime: number;
    maxTime: number;
  };
  seriesCountByMetricName: PromTsdbStat[];
  labelValueCountByLabelName: PromTsdbStat[];
  memoryInBytesByLabelName: PromTsdbStat[];
  seriesCountByLabelValuePair: PromTsdbStat[];
}

/** Mimir's `/api/v1/cardinality/label_names` body. */
export interface LabelNamesCardinality {
  label_values_count_total: number;
  label_names_count: number;
  cardinality: Array<{ label_name: string; label_values_count: number }>;
}

/** Mimir's `/api/v1/cardinality/label_values` body. */
export interface LabelValuesCardinality {
  series_count_total: number;
  labels: Array<{
    label_name: string;
    label_values_count: number;
    series_count: number;
    cardinality: Array<{ label_value: string; series_count: number }>;
  }>;
}

/** Prometheus' `errorType` values. */
export const PROM_ERROR_TYPES = [
  'bad_data',
  'execution',
  'timeout',
  'canceled',
  'internal',
  'unavailable',
  'not_found',
] as const;
/** One Prometheus error type. */
export type PromErrorType = (typeof PROM_ERROR_TYPES)[number];

/** The HTTP status Prometheus answers each error type with. */
export const PROM_ERROR_STATUS: Record<PromErrorType, number> = {
  bad_data: 400,
  execution: 422,
  timeout: 503,
  canceled: 499,
  internal: 500,
  unavailable: 503,
  not_found: 404,
};

/** A sample in Prometheus' JSON: `[<unix seconds>, "<value>"]`. */
export type PromPoint = [number, string];

/** The `data` of a successful instant or range query, exactly as Prometheus' HTTP API writes it. */
export type PromQueryData =
  | { resultType: 'vector'; result: Array<{ metric: Record<string, string>; value: PromPoint }> }
  | { resultType: 'matrix'; result: Array<{ metric: Record<string, string>; values: PromPoint[] }> }
  | { resultType: 'scalar'; result: PromPoint }
  | { resultType: 'string'; result: PromPoint };

/** One metric's metadata entry as `/api/v1/metadata` lists it. */
export interface PromMetricMetadata {
  type: string;
  help: string;
  unit: string;
}

/** Exemplars of one series as `/api/v1/query_exemplars` lists them. */
export interface PromExemplars {
  seriesLabels: Record<string, string>;
  exemplars: Array<{ labels: Record<string, string>; value: string; timestamp: number }>;
}

/**
 * Reply of every query subject: Prometheus' response body, so the gateway only picks the HTTP status.
 * Failures travel as `status: error` replies, not bus errors, because Prometheus' error types
 * (422 execution, 503 timeout) do not fit the platform's error codes.
 */
export type PromApiReply<T> =
  | { status: 'success'; data: T; warnings?: string[]; infos?: string[] }
  | {
      status: 'error';
      errorType: PromErrorType;
      error: string;
      warnings?: string[];
      infos?: string[];
    };

/**
 * A successful query reply the query service serialised itself: `serialized` is the complete
 * Prometheus response body (`{"status":"success","data":...}`), which the gateway writes as-is
 * instead of decoding and re-encoding a large result.
 */
export interface PromApiSerializedReply {
  status: 'success';
  serialized: string;
}
