import { type Bus, wireBytes } from '@strata/bus';
import {
  StrataError,
  type StoreCardinalityResponse,
  type StoreMatcher,
  type StoreRequest,
  type StoreExemplarsResponse,
  type StoreSelectResponse,
  type StoreMetadataResponse,
  type StoreSeriesResponse,
  type StoreStringsResponse,
  type StoreTsdbStatusResponse,
  type StoreUserStatsResponse,
  Subjects,
  type WireLabels,
  storeShardOfTenant,
  storeSubjectShard,
  storeTimePartitionsFor,
  type WireMetadata,
  TENANT_LABEL,
} from '@strata/contracts';
import {
  type Label,
  type Labels,
  type SampleBuffer,
  chunkFramesStartWithin,
  compareLabelsUtf8,
  decodeChunkFrames,
  decodeChunkFramesInto,
  mergeSampleArrays,
} from '@strata/tsdb';
import {
  type TenantCardinality,
  type TenantHeadStatus,
  mergeCardinality,
  mergeTsdbStatus,
} from './cardinality-merge';
import { dedupReplicas, withoutReplicaLabels } from './replica-dedup';

/** A tenant's query window: matchers as Prometheus' selectors, inclusive bounds in ms. */
export interface StoreQuery {
  tenantId: string;
  matchers: readonly StoreMatcher[];
  start: number;
  end: number;
}

/** A series with its samples in time order (parallel arrays, timestamps in ms). */
export interface StoreSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
  /**
   * Present on a series still held as chunks (`decodeLazily`): writes the samples into `into`
   * from index 0, growing its arrays when short, and returns how many.
   */
  decodeInto?(into: SampleBuffer): number;
}

/** An exemplar as the ingesters hold it. */
export interface StoreExemplar {
  labels: Labels;
  value: number;
  /** Milliseconds since epoch. */
  timestamp: number;
}

/** A series' exemplars in time order. */
export interface StoreSeriesExemplars {
  seriesLabels: Labels;
  exemplars: StoreExemplar[];
}

/** An answer and what was missing from it (only with `partialResponse`). */
export interface StoreResult<T> {
  value: T;
  warnings: string[];
}

/** What a Select may read from downsampled blocks (Thanos' `max_source_resolution` and `Aggr`). */
export interface StoreDownsampling {
  /** Coarsest resolution in ms; 0 reads raw blocks only. */
  maxResolutionMs: number;
  aggregate: StoreAggregate;
}

/** An aggregate of downsampled blocks. */
export type StoreAggregate = 'count' | 'sum' | 'min' | 'max' | 'counter';

/** Per-call settings of a read. */
export interface StoreReadOptions {
  /** Partial response for this call (Thanos' `partial_response`); absent: the client's `partialResponse`. */
  partialResponse?: boolean;
}

/** Settings of a Select. */
export interface StoreSelectOptions extends StoreReadOptions {
  downsampling?: StoreDownsampling;
  /**
   * Keep a series that arrives as chunks encoded while its chunks prove a sample in the window,
   * so a reader decodes it when it gets to it, into arrays it reuses (`StoreSeries.decodeInto`);
   * `timestamps` and `values` decode it on first use. Without replica labels only.
   */
  decodeLazily?: boolean;
}

/** Reads from the ingesters' Store API; the query engine wraps this as its Queryable. */
export interface StoreClient {
  /** Label sets of series matching the query, sorted and deduplicated. */
  series(
    query: StoreQuery,
    options?: { limit?: number } & StoreReadOptions,
  ): Promise<StoreResult<Labels[]>>;
  /** Sorted label names of matching series. */
  labelNames(
    query: StoreQuery,
    options?: { limit?: number } & StoreReadOptions,
  ): Promise<StoreResult<string[]>>;
  /** Sorted values of `name` among matching series. */
  labelValues(
    name: string,
    query: StoreQuery,
    options?: { limit?: number } & StoreReadOptions,
  ): Promise<StoreResult<string[]>>;
  /** Matching series with their samples in [start, end], sorted by labels; identical series from several sources are merged. */
  select(query: StoreQuery, options?: StoreSelectOptions): Promise<StoreResult<StoreSeries[]>>;
  /** Metric family metadata (type, help, unit) of the tenant, by family name, as `/api/v1/metadata` shows it. */
  metadata(
    tenantId: string,
    options?: { metric?: string; limit?: number },
  ): Promise<StoreResult<Record<string, WireMetadata[]>>>;
  /**
   * Exemplars in [start, end] of the tenant's series that match every matcher of at least one
   * set, sorted by series labels, each series' exemplars in time order.
   */
  exemplars(
    tenantId: string,
    matcherSets: ReadonlyArray<readonly StoreMatcher[]>,
    start: number,
    end: number,
  ): Promise<StoreResult<StoreSeriesExemplars[]>>;
  /** Head size and label value counts of the tenant's series, summed over every partition. */
  tsdbStatus(tenantId: string): Promise<StoreResult<TenantHeadStatus>>;
  /**
   * Label value counts of the tenant's series matching the matchers (only `labelNames` when
   * given), with the tenant's series count beside, summed over every partition.
   */
  cardinality(
    tenantId: string,
    matchers: readonly StoreMatcher[],
    labelNames?: readonly string[],
  ): Promise<StoreResult<TenantCardinality>>;
  /** The tenant's series, ingestion rate and samples discarded after acknowledgement, summed over the partitions. */
  userStats(tenantId: string): Promise<StoreResult<StoreUserStatsResponse>>;
}

/** How the client reaches the shards. */
export interface StoreClientOptions {
  /** Ingest partitions (`STRATA_INGEST_PARTITIONS`); each is asked on its own subject. */
  partitions: number;
  timeoutMs?: number;
  /**
   * Answer with what the reachable shards hold plus warnings, instead of failing when one is
   * unavailable: the default of calls that do not say (`StoreReadOptions`).
   */
  partialResponse?: boolean;
  /**
   * Samples per Select page; absent: 400,000 from an ingester, whose head chunks travel at about
   * 2–3 bytes a sample, and 100,000 from a store gateway, which sends 16 bytes a sample.
   */
  pageSamples?: number;
  /**
   * The store gateways that serve blocks from the bucket (absent: ingesters only). Series, label
   * and Select requests reaching back further than `queryStoreAfterMs` before now also go to the
   * tenant's store shard in each time partition the window meets; the answers are merged with the
   * ingesters' so a sample both hold counts once.
   */
  stores?: StoreTargets;
  /**
   * Labels that tell HA replicas apart (Thanos' `--query.replica-label`): `series` and `select`
   * drop them and deduplicate the series that become identical (`dedupReplicas`).
   */
  replicaLabels?: readonly string[];
  /** The clock, for tests. */
  now?: () => number;
}

/** How the store gateways are split, as `STRATA_STORE_SHARDS`/`STRATA_STORE_TIME_RANGES` say. */
export interface StoreTargets {
  shards: number;
  /** Time boundaries in ms before now, oldest first (`parseStoreTimeBoundaries`). */
  timeBoundaries: readonly number[];
  /** Stores are asked only for windows starting before `now - queryStoreAfterMs` (Mimir's `query-store-after`). */
  queryStoreAfterMs: number;
}

/** Where one answer comes from: an ingest partition or a store shard. */
interface Target {
  subject: string;
  /** How warnings and errors name it. */
  name: string;
  /** An ingester's head (raw samples only), not a store of blocks. */
  head?: boolean;
}

/** Creates a client that fans out to every ingest partition's owner and merges the answers. */
export function createStoreClient(bus: Bus, options: StoreClientOptions): StoreClient {
  return new FanOutStoreClient(bus, options);
}

class FanOutStoreClient implements StoreClient {
  private readonly replicaLabels: ReadonlySet<string> | null;

  constructor(
    private readonly bus: Bus,
    private readonly options: StoreClientOptions,
  ) {
    this.replicaLabels =
      options.replicaLabels && options.replicaLabels.length > 0
        ? new Set(options.replicaLabels)
        : null;
  }

  async series(
    query: StoreQuery,
    options: { limit?: number } & StoreReadOptions = {},
  ): Promise<StoreResult<Labels[]>> {
    const r = await this.fanOut<StoreSeriesResponse>(
      this.targets(query),
      (t) => this.ask(t, { type: 'Series', ...this.scoped(query), limit: options.limit }),
      options,
    );
    const seen = new Map<string, Labels>();
    const replicas = this.replicaLabels;
    for (const answer of r.value)
      for (const flat of answer.series) {
        const labels = replicas ? withoutReplicaLabels(unflatten(flat), replicas) : unflatten(flat);
        seen.set(
          replicas ? labels.map((l) => `${l.name}\xff${l.value}`).join('\xff') : flat.join('\xff'),
          labels,
        );
      }
    const out = [...seen.values()].sort(compareLabelsUtf8);
    return { value: options.limit ? out.slice(0, options.limit) : out, warnings: r.warnings };
  }

  async labelNames(
    query: StoreQuery,
    options: { limit?: number } & StoreReadOptions = {},
  ): Promise<StoreResult<string[]>> {
    const r = await this.fanOut<StoreStringsResponse>(
      this.targets(query),
      (t) => this.ask(t, { type: 'LabelNames', ...this.scoped(query), limit: options.limit }),
      options,
    );
    return { value: mergeStrings(r.value, options.limit), warnings: r.warnings };
  }

  async labelValues(
    name: string,
    query: StoreQuery,
    options: { limit?: number } & StoreReadOptions = {},
  ): Promise<StoreResult<string[]>> {
    const r = await this.fanOut<StoreStringsResponse>(
      this.targets(query),
      (t) =>
        this.ask(t, { type: 'LabelValues', name, ...this.scoped(query), limit: options.limit }),
      options,
    );
    return { value: mergeStrings(r.value, options.limit), warnings: r.warnings };
  }

  async select(
    query: StoreQuery,
    options: StoreSelectOptions = {},
  ): Promise<StoreResult<StoreSeries[]>> {
    const ds = options.downsampling;
    // Replica deduplication copies series with spread, which would not carry a lazy one's getters.
    const lazy = options.decodeLazily === true && this.replicaLabels === null;
    const r = await this.fanOut(
      this.targets(query),
      async (p) => {
        // Heads hold raw samples only; under `count` each of them counts one.
        const ones = ds?.aggregate === 'count' && p.head === true;
        const series: StoreSeries[] = [];
        // Flat wire labels joined: the key `byKey` merges the same series from several targets by.
        const keys: string[] = [];
        let cursor: string | null = null;
        do {
          const page: StoreSelectResponse = await this.ask<StoreSelectResponse>(p, {
            type: 'Select',
            ...this.scoped(query),
            cursor,
            // Each page selects the matching series again, so fewer is cheaper; heads and raw
            // blocks send chunks (1.3-2 bytes a sample), downsampled blocks decoded arrays.
            maxSamples: this.options.pageSamples ?? (p.head === true || !ds ? 400_000 : 100_000),
            encoding: 'xor',
            ...(ds ? { maxResolutionMs: ds.maxResolutionMs, aggregate: ds.aggregate } : {}),
          });
          for (const s of page.series) {
            let timestamps: Float64Array;
            let values: Float64Array;
            if (s.x !== undefined) {
              const frames = wireBytes(s.x);
              if (lazy && !ones && chunkFramesStartWithin(frames, query.start, query.end)) {
                series.push(new EncodedSeries(unflatten(s.labels), frames, query.start, query.end));
                keys.push(s.labels.join('\xff'));
                continue;
              }
              ({ timestamps, values } = decodeChunkFrames(frames, query.start, query.end));
              // Chunks may overlap the window with no sample inside it.
              if (timestamps.length === 0) continue;
            } else {
              timestamps = floats(s.t);
              values = floats(s.v);
            }
            // NaN (a staleness marker) stays: it is no sample to count.
            if (ones)
              for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) values[i] = 1;
            series.push({ labels: unflatten(s.labels), timestamps, values });
            keys.push(s.labels.join('\xff'));
          }
          cursor = page.nextCursor;
        } while (cursor !== null);
        return { series, keys };
      },
      options,
    );
    const byKey = new Map<string, StoreSeries>();
    for (const { series, keys } of r.value) {
      for (let i = 0; i < series.length; i++) {
        const s = series[i];
        const prev = byKey.get(keys[i]);
        byKey.set(keys[i], prev ? mergeSamples(prev, s) : s);
      }
    }
    const merged = [...byKey.values()];
    return {
      value: this.replicaLabels
        ? dedupReplicas(merged, this.replicaLabels)
        : merged.sort((a, b) => compareLabelsUtf8(a.labels, b.labels)),
      warnings: r.warnings,
    };
  }

  async metadata(
    tenantId: string,
    options: { metric?: string; limit?: number } = {},
  ): Promise<StoreResult<Record<string, WireMetadata[]>>> {
    const r = await this.fanOut<StoreMetadataResponse>(this.ingesters(), (p) =>
      this.ask(p, {
        type: 'Metadata',
        tenantId,
        ...(options.metric !== undefined ? { metric: options.metric } : {}),
        ...(options.limit ? { limit: options.limit } : {}),
      }),
    );
    const merged: Record<string, WireMetadata[]> = {};
    for (const name of [...new Set(r.value.flatMap((a) => Object.keys(a.metadata)))].sort()) {
      // Every partition a family's series land in holds its metadata; list each variant once.
      const variants = new Map<string, WireMetadata>();
      for (const a of r.value)
        for (const m of a.metadata[name] ?? []) variants.set(JSON.stringify(m), m);
      merged[name] = [...variants.values()];
    }
    const names = Object.keys(merged);
    if (options.limit && names.length > options.limit)
      for (const n of names.slice(options.limit)) delete merged[n];
    return { value: merged, warnings: r.warnings };
  }

  async exemplars(
    tenantId: string,
    matcherSets: ReadonlyArray<readonly StoreMatcher[]>,
    start: number,
    end: number,
  ): Promise<StoreResult<StoreSeriesExemplars[]>> {
    const r = await this.fanOut<StoreExemplarsResponse>(this.ingesters(), (p) =>
      this.ask(p, {
        type: 'Exemplars',
        tenantId,
        matcherSets: matcherSets.map((set) => [...set]),
        start,
        end,
      }),
    );
    // A series lives in one partition; should it turn up in two, its exemplars are merged.
    const byKey = new Map<string, StoreSeriesExemplars>();
    for (const answer of r.value) {
      for (const s of answer.series) {
        const exemplars = s.exemplars.map((e) => ({
          labels: unflatten(e.labels),
          value: Number(e.value),
          timestamp: e.timestamp,
        }));
        const key = s.seriesLabels.join('\xff');
        const prev = byKey.get(key);
        if (prev)
          prev.exemplars = [...prev.exemplars, ...exemplars].sort(
            (a, b) => a.timestamp - b.timestamp,
          );
        else byKey.set(key, { seriesLabels: unflatten(s.seriesLabels), exemplars });
      }
    }
    return {
      value: [...byKey.values()].sort((a, b) => compareLabelsUtf8(a.seriesLabels, b.seriesLabels)),
      warnings: r.warnings,
    };
  }

  async tsdbStatus(tenantId: string): Promise<StoreResult<TenantHeadStatus>> {
    const r = await this.fanOut<StoreTsdbStatusResponse>(this.ingesters(), (p) =>
      this.ask(p, { type: 'TsdbStatus', tenantId }),
    );
    return { value: mergeTsdbStatus(r.value), warnings: r.warnings };
  }

  async cardinality(
    tenantId: string,
    matchers: readonly StoreMatcher[],
    labelNames?: readonly string[],
  ): Promise<StoreResult<TenantCardinality>> {
    const { matchers: scoped } = this.scoped({ tenantId, matchers, start: 0, end: 0 });
    const r = await this.fanOut<StoreCardinalityResponse>(this.ingesters(), (p) =>
      this.ask(p, {
        type: 'Cardinality',
        tenantId,
        matchers: scoped,
        ...(labelNames ? { labelNames: [...labelNames] } : {}),
      }),
    );
    return { value: mergeCardinality(r.value), warnings: r.warnings };
  }

  async userStats(tenantId: string): Promise<StoreResult<StoreUserStatsResponse>> {
    const r = await this.fanOut<StoreUserStatsResponse>(this.ingesters(), (p) =>
      this.ask(p, { type: 'UserStats', tenantId }),
    );
    const total: StoreUserStatsResponse = { numSeries: 0, ingestionRate: 0, discardedSamples: {} };
    for (const shard of r.value) {
      total.numSeries += shard.numSeries;
      total.ingestionRate += shard.ingestionRate;
      for (const [reason, n] of Object.entries(shard.discardedSamples))
        total.discardedSamples[reason] = (total.discardedSamples[reason] ?? 0) + n;
    }
    return { value: total, warnings: r.warnings };
  }

  /** The tenant matcher goes first, so the index narrows to the tenant before anything else. */
  private scoped(query: StoreQuery): {
    tenantId: string;
    matchers: StoreMatcher[];
    start: number;
    end: number;
  } {
    return {
      tenantId: query.tenantId,
      matchers: [{ type: '=', name: TENANT_LABEL, value: query.tenantId }, ...query.matchers],
      start: query.start,
      end: query.end,
    };
  }

  private ask<T>(target: Target, request: StoreRequest): Promise<T> {
    return this.bus.request<StoreRequest, T>(target.subject, request, {
      timeoutMs: this.options.timeoutMs ?? 10_000,
    });
  }

  /** Every ingest partition (they hold the recent samples and everything but blocks). */
  private ingesters(): Target[] {
    return Array.from({ length: this.options.partitions }, (_, p) => ({
      subject: Subjects.storeQuery('ingester', p),
      name: `partition ${p}`,
      head: true,
    }));
  }

  /** The ingesters, then the tenant's store shard in each time partition the window meets, when it reaches back far enough. */
  private targets(query: StoreQuery): Target[] {
    const out = this.ingesters();
    const stores = this.options.stores;
    if (!stores) return out;
    const now = (this.options.now ?? Date.now)();
    if (query.start >= now - stores.queryStoreAfterMs) return out;
    const shard = storeShardOfTenant(query.tenantId, stores.shards);
    for (const k of storeTimePartitionsFor(stores.timeBoundaries, query.start, query.end, now)) {
      out.push({
        subject: Subjects.storeQuery('store', storeSubjectShard(shard, k, stores.shards)),
        name:
          stores.timeBoundaries.length > 0
            ? `store shard ${shard} (time partition ${k})`
            : `store shard ${shard}`,
      });
    }
    return out;
  }

  private async fanOut<T>(
    targets: Target[],
    call: (target: Target) => Promise<T>,
    read: StoreReadOptions = {},
  ): Promise<StoreResult<T[]>> {
    const partial = read.partialResponse ?? this.options.partialResponse ?? false;
    const settled = await Promise.allSettled(targets.map((t) => call(t)));
    const value: T[] = [];
    const warnings: string[] = [];
    for (let i = 0; i < settled.length; i++) {
      const s = settled[i];
      if (s.status === 'fulfilled') {
        value.push(s.value);
        continue;
      }
      const name = targets[i].name;
      const reason = s.reason instanceof Error ? s.reason.message : String(s.reason);
      if (!partial) {
        if (s.reason instanceof StrataError)
          throw new StrataError(s.reason.code, `${name}: ${reason}`, undefined, {
            cause: s.reason,
            reason: s.reason.reason,
          });
        throw s.reason;
      }
      warnings.push(`${name}: ${reason}`);
    }
    return { value, warnings };
  }
}

/**
 * A series as its chunks arrived, known to hold a sample in [mint, maxt] (`chunkFramesStartWithin`),
 * so it is listed exactly when a decoded one would be; decoded on use.
 */
class EncodedSeries implements StoreSeries {
  private decoded: { timestamps: Float64Array; values: Float64Array } | null = null;

  constructor(
    readonly labels: Labels,
    private readonly frames: Uint8Array,
    private readonly mint: number,
    private readonly maxt: number,
  ) {}

  get timestamps(): Float64Array {
    return this.load().timestamps;
  }

  get values(): Float64Array {
    return this.load().values;
  }

  decodeInto(into: SampleBuffer): number {
    if (this.decoded !== null) {
      const n = this.decoded.timestamps.length;
      if (into.ts.length < n) into.ts = new Float64Array(n);
      if (into.vs.length < n) into.vs = new Float64Array(n);
      into.ts.set(this.decoded.timestamps);
      into.vs.set(this.decoded.values);
      return n;
    }
    return decodeChunkFramesInto(this.frames, this.mint, this.maxt, into);
  }

  private load(): { timestamps: Float64Array; values: Float64Array } {
    this.decoded ??= decodeChunkFrames(this.frames, this.mint, this.maxt);
    return this.decoded;
  }
}

function unflatten(flat: WireLabels): Labels {
  const out: Label[] = new Array<Label>(flat.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = { name: flat[2 * i], value: flat[2 * i + 1] };
  return out;
}

function floats(b64: string): Float64Array {
  const bytes = Buffer.from(b64, 'base64');
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function mergeStrings(lists: Array<{ values: string[] }>, limit: number | undefined): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const v of l.values) set.add(v);
  const out = [...set].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return limit ? out.slice(0, limit) : out;
}

/** Merges two sample lists of the same series; a timestamp present in both keeps the first value. */
function mergeSamples(a: StoreSeries, b: StoreSeries): StoreSeries {
  const { timestamps, values } = mergeSampleArrays(a, b);
  return { labels: a.labels, timestamps, values };
}
