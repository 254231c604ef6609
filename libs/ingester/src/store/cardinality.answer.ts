import {
  type StoreCardinalityResponse,
  type StoreRequest,
  type StoreTsdbStatusResponse,
  type WireLabelValueCounts,
} from '@strata/contracts';
import {
  type Head,
  type LabelValueCounts,
  type Matcher,
  headSummary,
  labelValueCounts,
} from '@strata/tsdb';

/**
 * Answers `TsdbStatus` from `head` for the series `tenant` selects, the tenant label left out;
 * `head` may hold other tenants too (the partition's head) or only this one.
 */
export function answerTsdbStatus(
  head: Head,
  tenant: Matcher,
  tenantLabel: string,
): StoreTsdbStatusResponse {
  const summary = headSummary(head, [tenant]);
  return {
    ...summary,
    labels: toWire(labelValueCounts(head, [tenant], { hidden: [tenantLabel] })),
  };
}

/** Answers `Cardinality`: `matchers` are the caller's, `tenant` scopes them and the total. */
export function answerCardinality(
  head: Head,
  tenant: Matcher,
  tenantLabel: string,
  matchers: readonly Matcher[],
  request: Extract<StoreRequest, { type: 'Cardinality' }>,
): StoreCardinalityResponse {
  const counts = labelValueCounts(head, [tenant, ...matchers], {
    names: request.labelNames,
    hidden: [tenantLabel],
  });
  return { seriesCountTotal: headSummary(head, [tenant]).numSeries, labels: toWire(counts) };
}

function toWire(counts: LabelValueCounts): WireLabelValueCounts[] {
  return [...counts].map(([name, values]) => ({
    name,
    values: [...values.keys()],
    counts: [...values.values()],
  }));
}
