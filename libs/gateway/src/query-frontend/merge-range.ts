import { compareLabels, Labels } from '@strata/promql';

/** A successful range reply as the query service serialises it. */
export interface RangeBody {
  status: 'success';
  data: { resultType: 'matrix'; result: MatrixSeries[] };
  warnings?: string[];
  infos?: string[];
}

interface MatrixSeries {
  metric: Record<string, string>;
  values: unknown[];
}

function union(lists: Array<string[] | undefined>): string[] {
  return [...new Set(lists.flatMap((l) => l ?? []))];
}

/**
 * Joins the replies of consecutive parts of one range query into the reply the whole range gets:
 * each series' points in part order, series sorted by labels as Prometheus sorts a range result,
 * warnings and infos once each in order of first appearance.
 */
export function mergeRangeBodies(parts: readonly RangeBody[]): RangeBody {
  if (parts.length === 1) return parts[0];
  const byKey = new Map<string, { labels: Labels; series: MatrixSeries }>();
  for (const part of parts) {
    for (const s of part.data.result) {
      const labels = Labels.fromRecord(s.metric);
      const seen = byKey.get(labels.key);
      if (seen === undefined)
        byKey.set(labels.key, { labels, series: { metric: s.metric, values: [...s.values] } });
      else for (const v of s.values) seen.series.values.push(v);
    }
  }
  const result = [...byKey.values()]
    .sort((a, b) => compareLabels(a.labels, b.labels))
    .map((e) => e.series);
  const warnings = union(parts.map((p) => p.warnings));
  const infos = union(parts.map((p) => p.infos));
  return {
    status: 'success',
    data: { resultType: 'matrix', result },
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(infos.length > 0 ? { infos } : {}),
  };
}
