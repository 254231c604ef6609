// The ingester's head (`@strata/tsdb`'s Head, with its postings index) as the query service's
// `SeriesSource`, in this process: what a Store API Select reads on an ingester, without the wire
// encoding and the NATS round trip between the query service and the ingester.
import { Labels, type Matcher, type SelectHints, type StorageSeries } from '@strata/promql';
import { type MetricMetadata, type SeriesExemplars, type SeriesSource } from '@strata/query';
import { type Head, type Labels as TsdbLabels, matcher } from '@strata/tsdb';

/** Reads series from one head, as the ingester's Store API handler does for a Select. */
export class HeadSeriesSource implements SeriesSource {
  constructor(private readonly head: Head) {}

  async select(
    mint: number,
    maxt: number,
    _hints: SelectHints | null,
    matchers: Matcher[],
  ): Promise<StorageSeries[]> {
    return this.head
      .querier(mint, maxt)
      .select(toTsdb(matchers))
      .map((s) => ({ labels: toPromql(s.labels), iterator: () => s.iterator() }));
  }

  async labelNames(mint: number, maxt: number, matchers: Matcher[]): Promise<string[]> {
    return this.head.querier(mint, maxt).labelNames(toTsdb(matchers));
  }

  async labelValues(
    mint: number,
    maxt: number,
    name: string,
    matchers: Matcher[],
  ): Promise<string[]> {
    return this.head.querier(mint, maxt).labelValues(name, toTsdb(matchers));
  }

  async metadata(): Promise<Map<string, MetricMetadata[]>> {
    return new Map();
  }

  async exemplars(): Promise<SeriesExemplars[]> {
    return [];
  }
}

function toTsdb(matchers: readonly Matcher[]): ReturnType<typeof matcher>[] {
  return matchers.map((m) => matcher(m.op, m.name, m.value));
}

function toPromql(labels: TsdbLabels): Labels {
  return Labels.fromPairs(labels.map((l) => [l.name, l.value] as const));
}
