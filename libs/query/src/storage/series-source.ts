import { type Matcher, type SelectHints, type StorageSeries } from '@strata/promql';

/** Metadata of one metric family, as remote write 1.0 carries it. */
export interface MetricMetadata {
  type: string;
  help: string;
  unit: string;
}

/** One exemplar attached to a series. */
export interface StoredExemplar {
  labels: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** Exemplars of one series. */
export interface SeriesExemplars {
  seriesLabels: Record<string, string>;
  exemplars: StoredExemplar[];
}

/**
 * How one request reads: Thanos' partial response, and where the targets it left out are named.
 * One per request, so concurrent requests never share their warnings.
 */
export interface ReadScope {
  /** Answer with what the reachable stores hold instead of failing; absent: the source's default. */
  partialResponse?: boolean;
  /** Filled with one warning per store left out of the answer (`partition 5: …`). */
  warnings: Set<string>;
  /** Coarsest downsampled data to read, in ms (Thanos' `max_source_resolution`); absent or 0: raw. */
  maxSourceResolutionMs?: number;
}

/**
 * Where the query service reads series from: every tenant's data, told apart by `tenant_id`.
 * `StoreSeriesSource` reads the ingesters through the Store API, `MemorySeriesSource` serves tests;
 * callers never use it directly but through `TenantQueryable`, which scopes every call.
 */
export interface SeriesSource {
  /** Series matching every matcher, samples limited to [mint, maxt]. */
  select(
    mint: number,
    maxt: number,
    hints: SelectHints | null,
    matchers: Matcher[],
    read?: ReadScope,
  ): Promise<StorageSeries[]>;
  /** Label names on series matching the matchers within [mint, maxt]. */
  labelNames(mint: number, maxt: number, matchers: Matcher[], read?: ReadScope): Promise<string[]>;
  /** Values of `name` on series matching the matchers within [mint, maxt]. */
  labelValues(
    mint: number,
    maxt: number,
    name: string,
    matchers: Matcher[],
    read?: ReadScope,
  ): Promise<string[]>;
  /** Metadata per metric name of one tenant. */
  metadata(tenantId: string): Promise<Map<string, MetricMetadata[]>>;
  /** Exemplars of series matching any of the matcher sets, within [mint, maxt]. */
  exemplars(mint: number, maxt: number, matcherSets: Matcher[][]): Promise<SeriesExemplars[]>;
}
