import { type StoreUserStatsResponse } from '@strata/contracts';
import { type Matcher } from '@strata/promql';
import { type TenantCardinality, type TenantHeadStatus } from '@strata/store-client';

// One home for the counts' shapes: the store client's, which merges them across partitions.
export type { LabelValueCounts } from '@strata/tsdb';
export type { TenantCardinality, TenantHeadStatus } from '@strata/store-client';

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
  cardinality(
    tenantId: string,
    matchers: readonly Matcher[],
    labelNames?: readonly string[],
  ): Promise<TenantCardinality>;
  /** The tenant's series, ingestion rate and samples the heads discarded after acknowledging them. */
  userStats(tenantId: string): Promise<StoreUserStatsResponse>;
}
