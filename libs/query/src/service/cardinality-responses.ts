import {
  type LabelNamesCardinality,
  type LabelValuesCardinality,
  type PromTsdbStatus,
} from '@strata/contracts';
import { postingsStats } from '@strata/tsdb';
import { type LabelValueCounts, type TenantHeadStatus } from '../storage/cardinality-source';

// What Prometheus' empty head reports: its minTime starts at MaxInt64 and its maxTime at MinInt64.
const EMPTY_MIN_TIME = '9223372036854775807';
const EMPTY_MAX_TIME = '-9223372036854775808';

/** Prometheus 3's `/api/v1/status/tsdb` data for a tenant's head status, top lists cut at `limit`. */
export function tsdbStatusData(status: TenantHeadStatus, limit: number): PromTsdbStatus {
  const stats = postingsStats(status.labels, limit);
  return {
    headStats: {
      numSeries: status.numSeries,
      numLabelPairs: stats.numLabelPairs,
      chunkCount: status.chunkCount,
      minTime: status.minTime ?? Number(EMPTY_MIN_TIME),
      maxTime: status.maxTime ?? Number(EMPTY_MAX_TIME),
    },
    seriesCountByMetricName: stats.seriesCountByMetricName,
    labelValueCountByLabelName: stats.labelValueCountByLabelName,
    memoryInBytesByLabelName: stats.memoryInBytesByLabelName,
    seriesCountByLabelValuePair: stats.seriesCountByLabelValuePair,
  };
}

/**
 * The whole success body of `/api/v1/status/tsdb`. Written by hand because an empty head's int64
 * extremes are not JavaScript numbers: `JSON.stringify` would print them rounded.
 */
export function serializeTsdbStatus(status: TenantHeadStatus, data: PromTsdbStatus): string {
  const h = data.headStats;
  const min = status.minTime === null ? EMPTY_MIN_TIME : String(h.minTime);
  const max = status.maxTime === null ? EMPTY_MAX_TIME : String(h.maxTime);
  const head = `{"numSeries":${h.numSeries},"numLabelPairs":${h.numLabelPairs},"chunkCount":${h.chunkCount},"minTime":${min},"maxTime":${max}}`;
  const lists = (
    [
      'seriesCountByMetricName',
      'labelValueCountByLabelName',
      'memoryInBytesByLabelName',
      'seriesCountByLabelValuePair',
    ] as const
  )
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(data[k])}`)
    .join(',');
  return `{"status":"success","data":{"headStats":${head},${lists}}}`;
}

/** Mimir's label names cardinality: names by distinct values (desc), then name (asc), `limit` of them. */
export function labelNamesCardinality(
  labels: LabelValueCounts,
  limit: number,
): LabelNamesCardinality {
  const items = [...labels]
    .map(([name, values]) => ({ label_name: name, label_values_count: values.size }))
    .filter((i) => i.label_values_count > 0)
    .sort(
      (a, b) => b.label_values_count - a.label_values_count || compare(a.label_name, b.label_name),
    );
  return {
    label_values_count_total: items.reduce((n, i) => n + i.label_values_count, 0),
    label_names_count: items.length,
    cardinality: items.slice(0, limit),
  };
}

/**
 * Mimir's label values cardinality for the names asked: names by series (desc) then name (asc);
 * each name's values by series (desc) then value (asc), `limit` of them, counts over all values.
 */
export function labelValuesCardinality(
  labels: LabelValueCounts,
  labelNames: readonly string[],
  seriesCountTotal: number,
  limit: number,
): LabelValuesCardinality {
  const items = [...new Set(labelNames)].map((name) => {
    const values = [...(labels.get(name) ?? new Map<string, number>())]
      .map(([label_value, series_count]) => ({ label_value, series_count }))
      .sort((a, b) => b.series_count - a.series_count || compare(a.label_value, b.label_value));
    return {
      label_name: name,
      label_values_count: values.length,
      series_count: values.reduce((n, v) => n + v.series_count, 0),
      cardinality: values.slice(0, limit),
    };
  });
  items.sort((a, b) => b.series_count - a.series_count || compare(a.label_name, b.label_name));
  return { series_count_total: seriesCountTotal, labels: items };
}

// Go compares strings by bytes; UTF-16 order differs only above the BMP, which label names rarely reach.
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
