import { type StoreMatcher, type StoreUserStatsResponse, TENANT_LABEL } from '@strata/contracts';
import {
  Labels,
  type Matcher,
  type SampleBuffer,
  type SampleIterator,
  type SelectHints,
  type StorageSeries,
} from '@strata/promql';
import {
  type CardinalitySource,
  type TenantCardinality,
  type TenantHeadStatus,
} from './cardinality-source';
import {
  type MetricMetadata,
  type ReadScope,
  type SeriesExemplars,
  type SeriesSource,
} from './series-source';
import { aggregateForFunc } from './downsampled-aggregate';

/** Per-call settings the Store API client takes. */
export interface StoreApiReadOptions {
  partialResponse?: boolean;
}

/** A tenant's window as the Store API client takes it. */
export interface StoreApiQuery {
  tenantId: string;
  matchers: readonly StoreMatcher[];
  start: number;
  end: number;
}

/**
 * The part of the write path's Store API client (`@strata/store-client`) the query service reads
 * through; declared structurally so the query service does not depend on how the client fans out.
 */
export interface StoreReader {
  labelNames(
    query: StoreApiQuery,
    options?: StoreApiReadOptions,
  ): Promise<{ value: string[]; warnings: string[] }>;
  labelValues(
    name: string,
    query: StoreApiQuery,
    options?: StoreApiReadOptions,
  ): Promise<{ value: string[]; warnings: string[] }>;
  select(
    query: StoreApiQuery,
    options?: StoreApiReadOptions & {
      downsampling?: StoreApiDownsampling;
      decodeLazily?: boolean;
    },
  ): Promise<{ value: StoreApiSeries[]; warnings: string[] }>;
  metadata(
    tenantId: string,
  ): Promise<{ value: Record<string, MetricMetadata[]>; warnings: string[] }>;
  exemplars(
    tenantId: string,
    matcherSets: StoreMatcher[][],
    start: number,
    end: number,
  ): Promise<{
    value: Array<{
      seriesLabels: ReadonlyArray<WireLabel>;
      exemplars: Array<{ labels: ReadonlyArray<WireLabel>; value: number; timestamp: number }>;
    }>;
    warnings: string[];
  }>;
  tsdbStatus(tenantId: string): Promise<{ value: TenantHeadStatus; warnings: string[] }>;
  cardinality(
    tenantId: string,
    matchers: readonly StoreMatcher[],
    labelNames?: readonly string[],
  ): Promise<{ value: TenantCardinality; warnings: string[] }>;
  userStats(tenantId: string): Promise<{ value: StoreUserStatsResponse; warnings: string[] }>;
}

interface WireLabel {
  name: string;
  value: string;
}

/** Downsampled data a Select may read (the Store API client's `StoreDownsampling`). */
interface StoreApiDownsampling {
  maxResolutionMs: number;
  aggregate: 'count' | 'sum' | 'min' | 'max' | 'counter';
}

type StoreApiSeries = {
  labels: ReadonlyArray<WireLabel>;
  timestamps: Float64Array;
  values: Float64Array;
  /** Set while the series is still encoded (`decodeLazily`). */
  decodeInto?(into: SampleBuffer): number;
};

function seriesKey(labels: ReadonlyArray<WireLabel>): string {
  return labels.map((l) => `${l.name}\xff${l.value}`).join('\xff');
}

function toStorage(s: StoreApiSeries, downsampled?: StorageSeries['downsampled']): StorageSeries {
  const out: StorageSeries = {
    labels: labelsOf(s.labels),
    iterator: (): SampleIterator => new TypedArrayIterator(s.timestamps, s.values),
    samples: () => ({
      ts: s.timestamps,
      vs: s.values,
      n: Math.min(s.timestamps.length, s.values.length),
    }),
    ...(downsampled ? { downsampled } : {}),
  };
  if (s.decodeInto !== undefined) {
    const decodeInto = s.decodeInto.bind(s);
    out.decodeInto = (into) => decodeInto(into);
  }
  return out;
}

function labelsOf(wire: ReadonlyArray<WireLabel>): Labels {
  const names = new Array<string>(wire.length);
  const values = new Array<string>(wire.length);
  for (let i = 0; i < wire.length; i++) {
    names[i] = wire[i].name;
    values[i] = wire[i].value;
  }
  return Labels.fromLists(names, values);
}

/** Window averages from a sum series and its count series; a timestamp missing from either is left out. */
function averaged(sum: StoreApiSeries, count: StoreApiSeries | undefined): StorageSeries {
  const ts: number[] = [];
  const vs: number[] = [];
  const ws: number[] = [];
  if (count !== undefined) {
    let j = 0;
    for (let i = 0; i < sum.timestamps.length; i++) {
      const t = sum.timestamps[i];
      while (j < count.timestamps.length && count.timestamps[j] < t) j++;
      if (j >= count.timestamps.length || count.timestamps[j] !== t) continue;
      const v = sum.values[i];
      ts.push(t);
      // A staleness marker (NaN) stays as it is, so the engine still sees the series end.
      vs.push(Number.isNaN(v) ? v : v / count.values[j]);
      ws.push(Number.isNaN(v) ? 0 : count.values[j]);
    }
  }
  return toStorage(
    { labels: sum.labels, timestamps: Float64Array.from(ts), values: Float64Array.from(vs) },
    { kind: 'avg', weights: Float64Array.from(ws) },
  );
}

/** Iterates samples held in two ascending typed arrays. */
export class TypedArrayIterator implements SampleIterator {
  private i = -1;
  t = 0;
  v = 0;

  constructor(
    private readonly ts: Float64Array,
    private readonly vs: Float64Array,
  ) {}

  next(): boolean {
    if (this.i < this.ts.length) this.i++;
    return this.load();
  }

  seek(t: number): boolean {
    if (this.i < 0) this.i = 0;
    while (this.i < this.ts.length && this.ts[this.i] < t) this.i++;
    return this.load();
  }

  private load(): boolean {
    if (this.i >= this.ts.length) return false;
    this.t = this.ts[this.i];
    this.v = this.vs[this.i];
    return true;
  }
}

/**
 * Reads series through the Store API client. The tenant comes from the `tenant_id="<t>"` matcher
 * `TenantQueryable` adds; a call without exactly one such matcher is refused, so nothing unscoped
 * ever reaches the stores.
 */
export class StoreSeriesSource implements SeriesSource, CardinalitySource {
  constructor(private readonly store: StoreReader) {}

  async select(
    mint: number,
    maxt: number,
    hints: SelectHints | null,
    matchers: Matcher[],
    read?: ReadScope,
  ): Promise<StorageSeries[]> {
    const query = toQuery(matchers, mint, maxt);
    const maxResolutionMs = read?.maxSourceResolutionMs ?? 0;
    if (maxResolutionMs <= 0)
      return (await this.read(query, read, undefined, true)).map((s) => toStorage(s));
    const aggregate = aggregateForFunc(hints?.func);
    if (aggregate !== 'avg') {
      const found = await this.read(query, read, { maxResolutionMs, aggregate });
      return found.map((s) => toStorage(s, aggregate === 'count' ? { kind: 'count' } : undefined));
    }
    // An average is each window's sum over its count (Thanos' AverageChunkIterator), weighted by that count.
    const [sums, counts] = await Promise.all([
      this.read(query, read, { maxResolutionMs, aggregate: 'sum' }),
      this.read(query, read, { maxResolutionMs, aggregate: 'count' }),
    ]);
    const countOf = new Map(counts.map((c) => [seriesKey(c.labels), c]));
    return sums.map((s) => averaged(s, countOf.get(seriesKey(s.labels))));
  }

  private async read(
    query: StoreApiQuery,
    read: ReadScope | undefined,
    downsampling?: StoreApiDownsampling,
    decodeLazily = false,
  ): Promise<StoreApiSeries[]> {
    const options = {
      ...readOptions(read),
      ...(downsampling ? { downsampling } : {}),
      ...(decodeLazily ? { decodeLazily } : {}),
    };
    return noted(await this.store.select(query, options), read).value;
  }

  async labelNames(
    mint: number,
    maxt: number,
    matchers: Matcher[],
    read?: ReadScope,
  ): Promise<string[]> {
    return noted(
      await this.store.labelNames(toQuery(matchers, mint, maxt), readOptions(read)),
      read,
    ).value;
  }

  async labelValues(
    mint: number,
    maxt: number,
    name: string,
    matchers: Matcher[],
    read?: ReadScope,
  ): Promise<string[]> {
    return noted(
      await this.store.labelValues(name, toQuery(matchers, mint, maxt), readOptions(read)),
      read,
    ).value;
  }

  async metadata(tenantId: string): Promise<Map<string, MetricMetadata[]>> {
    return new Map(Object.entries((await this.store.metadata(tenantId)).value));
  }

  async exemplars(
    mint: number,
    maxt: number,
    matcherSets: Matcher[][],
  ): Promise<SeriesExemplars[]> {
    const scoped = matcherSets.map((set) => toQuery(set, mint, maxt));
    const tenantId = scoped[0]?.tenantId;
    if (tenantId === undefined) return [];
    if (scoped.some((q) => q.tenantId !== tenantId))
      throw new Error('store reads must be scoped to exactly one tenant');
    const { value } = await this.store.exemplars(
      tenantId,
      scoped.map((q) => [...q.matchers]),
      mint,
      maxt,
    );
    return value.map((s) => ({
      seriesLabels: toRecord(s.seriesLabels),
      exemplars: s.exemplars.map((e) => ({
        labels: toRecord(e.labels),
        value: e.value,
        timestampMs: e.timestamp,
      })),
    }));
  }

  async headStatus(tenantId: string): Promise<TenantHeadStatus> {
    return (await this.store.tsdbStatus(tenantId)).value;
  }

  async cardinality(
    tenantId: string,
    matchers: readonly Matcher[],
    labelNames?: readonly string[],
  ): Promise<TenantCardinality> {
    if (matchers.some((m) => m.name === TENANT_LABEL))
      throw new Error('cardinality matchers must not name the tenant label');
    const wire = matchers.map((m): StoreMatcher => ({
      type: m.op,
      name: m.name,
      value: m.value,
    }));
    return (await this.store.cardinality(tenantId, wire, labelNames)).value;
  }

  async userStats(tenantId: string): Promise<StoreUserStatsResponse> {
    return (await this.store.userStats(tenantId)).value;
  }
}

function readOptions(read: ReadScope | undefined): StoreApiReadOptions {
  return read?.partialResponse === undefined ? {} : { partialResponse: read.partialResponse };
}

/** Records what the store left out of its answer in the request's scope. */
function noted<T extends { warnings: string[] }>(answer: T, read: ReadScope | undefined): T {
  if (read) for (const w of answer.warnings) read.warnings.add(w);
  return answer;
}

function toQuery(matchers: readonly Matcher[], start: number, end: number): StoreApiQuery {
  const tenants = matchers.filter((m) => m.name === TENANT_LABEL);
  if (tenants.length !== 1 || tenants[0].op !== '=')
    throw new Error('store reads must be scoped to exactly one tenant');
  return {
    tenantId: tenants[0].value,
    matchers: matchers
      .filter((m) => m.name !== TENANT_LABEL)
      .map((m) => ({ type: m.op, name: m.name, value: m.value })),
    start,
    end,
  };
}

function toRecord(labels: ReadonlyArray<WireLabel>): Record<string, string> {
  return Object.fromEntries(labels.map((l) => [l.name, l.value]));
}
