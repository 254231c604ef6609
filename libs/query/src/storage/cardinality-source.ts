import { type StoreUserStatsResponse } from '@strata/contracts';
import { type Matcher } from '@strata/promql';

/** Series per label value, per label name. */
export type LabelValueCounts = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** A tenant's part of the heads: sizes, time span (null without series) and series per label value. */
export interface TenantHeadStatus {
  numSeries: number;
  chunkCount: number;
  minTime: number | null;
  maxTime: number | null;
  labels: LabelValueCounts;
}

/** Label value counts of a tenant's selected series, and its series count whatever the selection. */
export interface TenantCardinality {
  seriesCountTotal: number;
  labels: LabelValueCounts;
}

/**
 * Where the cardinality endpoints read from. Every call names its tenant and answers for that
 * tenant's series alone, never counting the `tenant_id` label.
 */
export interface CardinalitySource {
  /** Head size and every label value count of the tenant. */
  headStatus(tenantId: string): Promise<TenantHeadStatus>;
  /**
   * Label value counts of the tenant's series matching every matcher (no `tenant_id` matcher
   * among them), only for `labelNames` when given, each of those listed even without values.
   */
  cardinality(tenantId: string, matchers: readonly Matcher[], labelNames?: readonly string[]): Promise<TenantCardinality>;
  /** The tenant's series, ingestion rate and samples the heads discarded after acknowledging them. */
  userStats(tenantId: string): Promise<StoreUserStatsResponse>;
}
