import { z } from 'zod';
import { TenantId } from '../control/ids';

/** Prometheus' four label matcher operators. */
export const MATCH_TYPES = ['=', '!=', '=~', '!~'] as const;
/** One of {@link MATCH_TYPES}. */
export type MatchType = (typeof MATCH_TYPES)[number];

/** Label matcher of the Store API, with Prometheus' four operators. */
export const StoreMatcher = z
  .object({
    type: z.enum(MATCH_TYPES),
    name: z.string().min(1).max(1024),
    value: z.string().max(4096),
  })
  .strict();
export type StoreMatcher = z.infer<typeof StoreMatcher>;

const time = z.number().finite();
const common = {
  /** Every answer is scoped to this tenant: servers add `tenant_id="<tenantId>"` to the matchers. */
  tenantId: TenantId,
  matchers: z.array(StoreMatcher).max(64).default([]),
  /** Inclusive bounds in ms since epoch. */
  start: time,
  end: time,
};

// --- Cardinality: what a tenant's series use of the head (TsdbStatus, Cardinality) ---

/** Head size and every label value count of the tenant's series; the tenant label is never counted. */
export const StoreTsdbStatusRequest = z
  .object({ type: z.literal('TsdbStatus'), tenantId: TenantId })
  .strict();

/**
 * Label value counts of the tenant's series matching every matcher (restricted to `labelNames`
 * when given; each of them is listed, with no values if no series has it), and the tenant's
 * series count whatever the matchers.
 */
export const StoreCardinalityRequest = z
  .object({
    type: z.literal('Cardinality'),
    tenantId: TenantId,
    matchers: z.array(StoreMatcher).max(64).default([]),
    labelNames: z.array(z.string().min(1).max(1024)).max(1024).optional(),
  })
  .strict();

/** Series per value of one label name; `values` and `counts` are parallel arrays. */
export interface WireLabelValueCounts {
  name: string;
  values: string[];
  counts: number[];
}

/** Answer to `TsdbStatus` from one partition; times are null when the tenant has no series there. */
export interface StoreTsdbStatusResponse {
  numSeries: number;
  chunkCount: number;
  minTime: number | null;
  maxTime: number | null;
  labels: WireLabelValueCounts[];
}

/** Answer to `Cardinality` from one partition. */
export interface StoreCardinalityResponse {
  /** The tenant's series in the partition, matchers aside. */
  seriesCountTotal: number;
  labels: WireLabelValueCounts[];
}

// --- end of cardinality ---

/**
 * Store API requests, a discriminated union on `type`, served per shard on
 * `Subjects.storeQuery(source, shard)`. Series and samples are paginated by `cursor`.
 */
export const StoreRequest = z.discriminatedUnion('type', [
  z
    .object({ type: z.literal('Series'), ...common, limit: z.number().int().positive().optional() })
    .strict(),
  z
    .object({
      type: z.literal('LabelNames'),
      ...common,
      limit: z.number().int().positive().optional(),
    })
    .strict(),
  z
    .object({
      type: z.literal('LabelValues'),
      ...common,
      name: z.string().min(1).max(1024),
      limit: z.number().int().positive().optional(),
    })
    .strict(),
  /** Metric family metadata (type, help, unit) as the tenant's writers last sent it; no time range. */
  z
    .object({
      type: z.literal('Metadata'),
      tenantId: TenantId,
      metric: z.string().max(1024).optional(),
      limit: z.number().int().positive().optional(),
    })
    .strict(),
  /** Exemplars in [start, end] of the series matching every matcher of at least one set. */
  z
    .object({
      type: z.literal('Exemplars'),
      tenantId: TenantId,
      matcherSets: z.array(z.array(StoreMatcher).max(64)).min(1).max(64),
      start: time,
      end: time,
    })
    .strict(),
  /** The tenant's use of the shard's head, for `/api/v1/user_stats` (see `StoreUserStatsResponse`). */
  z.object({ type: z.literal('UserStats'), tenantId: TenantId }).strict(),
  z
    .object({
      type: z.literal('Select'),
      ...common,
      /** Opaque position from the previous page's `nextCursor`. */
      cursor: z.string().max(100_000).nullable().default(null),
      /** Samples per page; a page always holds at least one series. */
      maxSamples: z.number().int().positive().max(1_000_000).default(100_000),
      /**
       * Coarsest downsampled blocks a store may read, in ms (Thanos' `max_source_resolution`);
       * 0, or no `aggregate`: raw blocks only.
       */
      maxResolutionMs: z.number().int().nonnegative().optional(),
      /**
       * Which aggregate of a downsampled block to return (Thanos' `Aggr`); raw samples stand for
       * themselves, except under `count`, where each counts 1.
       */
      aggregate: z.enum(['count', 'sum', 'min', 'max', 'counter']).optional(),
      /**
       * `xor`: a store that holds a series' samples as XOR chunks may send the chunks as they are
       * (`WireSeries.x`) instead of decoded arrays; absent: always `t` and `v`.
       */
      encoding: z.enum(['float64', 'xor']).optional(),
    })
    .strict(),
  StoreTsdbStatusRequest,
  StoreCardinalityRequest,
]);
export type StoreRequest = z.infer<typeof StoreRequest>;

/** Labels on the wire: names and values flattened as `[name0, value0, name1, value1, ...]`, sorted by name. */
export type WireLabels = string[];

/**
 * Bytes in a reply as they are, for a caller in the same process (an `inProcess` route); JSON, and
 * so NATS, carries them as the base64 text `toJSON` gives (`@strata/bus`' `WireBytes`).
 */
export interface InProcessBytes {
  readonly bytes: Uint8Array;
  toJSON(): string;
}

/**
 * A series with its samples: `t` and `v` are base64 of little-endian Float64 arrays of equal
 * length; or, only when the request asked for `encoding: 'xor'`, `t` and `v` are empty and `x` is
 * the series' XOR chunks in `encodeChunkFrames` form (`@strata/tsdb`), which may hold samples
 * outside the requested window for the reader to drop.
 */
export interface WireSeries {
  labels: WireLabels;
  t: string;
  v: string;
  x?: string | InProcessBytes;
}

/** Answer to `Series`. */
export interface StoreSeriesResponse {
  series: WireLabels[];
}

/** Answer to `LabelNames` and `LabelValues`. */
export interface StoreStringsResponse {
  values: string[];
}

/** One page of `Select`; `nextCursor` is null on the last page. */
export interface StoreSelectResponse {
  series: WireSeries[];
  nextCursor: string | null;
}

/** One family's metadata, as Prometheus' `/api/v1/metadata` lists it. */
export interface WireMetadata {
  type: string;
  help: string;
  unit: string;
}

/** Answer to `Metadata`: per metric family name. */
export interface StoreMetadataResponse {
  metadata: Record<string, WireMetadata[]>;
}

/** An exemplar on the wire; `value` is `String(number)`, so that NaN and ±Infinity survive JSON. */
export interface WireExemplar {
  labels: WireLabels;
  value: string;
  /** Milliseconds since epoch. */
  timestamp: number;
}

/** Answer to `Exemplars`: per series, its exemplars in time order; series sorted by labels. */
export interface StoreExemplarsResponse {
  series: Array<{ seriesLabels: WireLabels; exemplars: WireExemplar[] }>;
}

/**
 * Answer to `UserStats`: one shard's share of the tenant's series and ingestion rate, and the
 * samples its head discarded after the write was acknowledged, by reason (since the oldest
 * snapshot the shard's state comes from; replays never count twice).
 */
export interface StoreUserStatsResponse {
  numSeries: number;
  /** Samples per second appended, an exponentially weighted average as Mimir's ingesters keep. */
  ingestionRate: number;
  discardedSamples: Record<string, number>;
}
