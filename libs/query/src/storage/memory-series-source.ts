import { type StoreUserStatsResponse, TENANT_LABEL } from '@strata/contracts';
import {
  Labels,
  MemoryQueryable,
  matchesAll,
  type Matcher,
  type SelectHints,
  type StorageSeries,
} from '@strata/promql';
import {
  type MetricMetadata,
  type SeriesExemplars,
  type SeriesSource,
  type StoredExemplar,
} from './series-source';
import {
  type CardinalitySource,
  type TenantCardinality,
  type TenantHeadStatus,
} from './cardinality-source';

/**
 * Every tenant's series in memory, labelled with `tenant_id` like the write path stores them;
 * the stand-in for the Store API client in tests, the differential suite and the benchmark. It keeps
 * samples, not chunks, so its head status reports no chunks.
 */
export class MemorySeriesSource implements SeriesSource, CardinalitySource {
  private readonly store = new MemoryQueryable();
  private readonly meta = new Map<string, Map<string, MetricMetadata[]>>();
  private readonly exemplarsBySeries = new Map<
    string,
    { labels: Labels; exemplars: StoredExemplar[] }
  >();

  /** Appends one sample of a tenant's series (labels without `tenant_id`). */
  append(tenantId: string, labels: Record<string, string>, t: number, v: number): void {
    this.store.append(Labels.fromRecord({ ...labels, [TENANT_LABEL]: tenantId }), t, v);
  }

  /** Records metric metadata of a tenant; a repeated identical entry is kept once. */
  addMetadata(tenantId: string, metric: string, md: MetricMetadata): void {
    let byMetric = this.meta.get(tenantId);
    if (byMetric === undefined) this.meta.set(tenantId, (byMetric = new Map()));
    const list = byMetric.get(metric) ?? [];
    if (!list.some((m) => m.type === md.type && m.help === md.help && m.unit === md.unit))
      list.push(md);
    byMetric.set(metric, list);
  }

  /** Records an exemplar on a tenant's series. */
  addExemplar(tenantId: string, labels: Record<string, string>, exemplar: StoredExemplar): void {
    const lbls = Labels.fromRecord({ ...labels, [TENANT_LABEL]: tenantId });
    let entry = this.exemplarsBySeries.get(lbls.key);
    if (entry === undefined)
      this.exemplarsBySeries.set(lbls.key, (entry = { labels: lbls, exemplars: [] }));
    entry.exemplars.push(exemplar);
  }

  /** Number of series across tenants. */
  get seriesCount(): number {
    return this.store.seriesCount;
  }

  select(
    mint: number,
    maxt: number,
    hints: SelectHints | null,
    matchers: Matcher[],
  ): Promise<StorageSeries[]> {
    // In label order, as the Store API client and Prometheus' server (whose fanout storage always
    // merges) hand series over: topk/bottomk ties depend on it.
    return this.store.querier(mint, maxt).select(true, hints, ...matchers);
  }

  async labelNames(mint: number, maxt: number, matchers: Matcher[]): Promise<string[]> {
    return this.store.querier(mint, maxt).labelNames(...matchers);
  }

  async labelValues(
    mint: number,
    maxt: number,
    name: string,
    matchers: Matcher[],
  ): Promise<string[]> {
    return this.store.querier(mint, maxt).labelValues(name, ...matchers);
  }

  metadata(tenantId: string): Promise<Map<string, MetricMetadata[]>> {
    return Promise.resolve(new Map(this.meta.get(tenantId) ?? []));
  }

  async headStatus(tenantId: string): Promise<TenantHeadStatus> {
    const series = await this.tenantSeries(tenantId, []);
    let minTime: number | null = null;
    let maxTime: number | null = null;
    for (const s of series) {
      const it = s.iterator();
      while (it.next()) {
        minTime = Math.min(minTime ?? Infinity, it.t);
        maxTime = Math.max(maxTime ?? -Infinity, it.t);
      }
    }
    return {
      numSeries: series.length,
      chunkCount: 0,
      minTime,
      maxTime,
      labels: countLabels(series, undefined),
    };
  }

  /** Memory keeps no rates and discards nothing: only the series count is real here. */
  async userStats(tenantId: string): Promise<StoreUserStatsResponse> {
    return {
      numSeries: (await this.tenantSeries(tenantId, [])).length,
      ingestionRate: 0,
      discardedSamples: {},
    };
  }

  async cardinality(
    tenantId: string,
    matchers: readonly Matcher[],
    labelNames?: readonly string[],
  ): Promise<TenantCardinality> {
    const total = (await this.tenantSeries(tenantId, [])).length;
    return {
      seriesCountTotal: total,
      labels: countLabels(await this.tenantSeries(tenantId, matchers), labelNames),
    };
  }

  private tenantSeries(tenantId: string, matchers: readonly Matcher[]): Promise<StorageSeries[]> {
    const scoped: Matcher[] = [...matchers, { name: TENANT_LABEL, op: '=', value: tenantId }];
    return this.store.querier(-Infinity, Infinity).select(false, null, ...scoped);
  }

  exemplars(mint: number, maxt: number, matcherSets: Matcher[][]): Promise<SeriesExemplars[]> {
    const out: SeriesExemplars[] = [];
    for (const { labels, exemplars } of this.exemplarsBySeries.values()) {
      if (!matcherSets.some((ms) => matchesAll(labels, ms))) continue;
      const inRange = exemplars.filter((e) => e.timestampMs >= mint && e.timestampMs <= maxt);
      if (inRange.length > 0) out.push({ seriesLabels: labels.toRecord(), exemplars: inRange });
    }
    return Promise.resolve(out);
  }
}

function countLabels(
  series: readonly StorageSeries[],
  names: readonly string[] | undefined,
): Map<string, Map<string, number>> {
  const counts = new Map<string, Map<string, number>>();
  for (const n of names ?? []) if (n !== TENANT_LABEL) counts.set(n, new Map());
  for (const s of series) {
    for (const [name, value] of Object.entries(s.labels.toRecord())) {
      if (name === TENANT_LABEL || (names !== undefined && !names.includes(name))) continue;
      let values = counts.get(name);
      if (!values) counts.set(name, (values = new Map()));
      values.set(value, (values.get(value) ?? 0) + 1);
    }
  }
  return counts;
}
