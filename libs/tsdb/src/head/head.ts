import { TENANT_LABEL } from '@strata/contracts';
import { InvalidLabelsError, SeriesLimitExceededError, SeriesNotFoundError } from '../errors';
import { MemPostings } from '../index/postings';
import { type LabelBlockRef, LABEL_SEP, decodeLabelBlock } from '../label-block';
import { type Labels, compareStrings, labelsHash } from '../labels';
import { type AppendSeriesResult, appendSample, appendSeriesSamples } from './head-append';
import { HeadQuerier } from './head-read';
import { InternTable } from './intern-table';
import { MemSeries } from './series';

const HASH_MASK = 0xfffffffffffffn;

/** Tuning of a {@link Head}; defaults follow Prometheus. */
export interface HeadOptions {
  /** Block/chunk range in ms; chunks never span a range boundary (default 2h). */
  chunkRange?: number;
  /** Samples after which a new chunk is cut (default 120). */
  samplesPerChunk?: number;
  /** Out-of-order window in ms; 0 rejects every out-of-order sample (default 0). */
  outOfOrderWindow?: number;
  /** Label whose value names the tenant for active series accounting (default `TENANT_LABEL`). */
  tenantLabel?: string;
  /** Maximum series per tenant; unlimited when absent. */
  maxSeriesPerTenant?: number;
}

/** Point-in-time size of a head, for metrics and tests. */
export interface HeadStats {
  readonly series: number;
  /** Closed plus open chunks. */
  readonly chunks: number;
  /** Bytes of encoded chunk data held. */
  readonly chunkBytes: number;
  /** Samples waiting in out-of-order buffers. */
  readonly oooSamples: number;
  readonly minT: number;
  readonly maxT: number;
}

/** Outcome of {@link Head.truncate}. */
export interface TruncateResult {
  readonly removedSeries: number;
  readonly removedChunks: number;
}

/** The in-memory head block: series, their chunks and an inverted index. */
export class Head {
  readonly chunkRange: number;
  readonly samplesPerChunk: number;
  /** Out-of-order window in ms; its owner may change it (a tenant's quota), which applies from the next append. */
  outOfOrderWindow: number;
  readonly tenantLabel: string;
  readonly maxSeriesPerTenant: number;
  /** Samples before this time are out of bounds (advanced by truncation). */
  minValidTime = -Infinity;
  /**
   * Samples before this time are out of bounds even while the head still holds older ones for
   * queries: their range was cut into a block already, and a late sample would be in neither.
   */
  minAppendTime = -Infinity;
  /** Oldest sample time appended (Infinity while empty). */
  minT = Infinity;
  /** Newest sample time appended (-Infinity while empty). */
  maxT = -Infinity;

  /** @internal */ readonly postings = new MemPostings();
  private readonly byRef = new Map<number, MemSeries>();
  private readonly byHash = new Map<number, MemSeries | MemSeries[]>();
  // Many series share names and values (job, instance, tenant), so one string per distinct text
  // saves the bulk of label memory.
  private interned = new InternTable();
  private readonly tenants = new Map<string, number>();
  private nextRef = 1;

  constructor(opts: HeadOptions = {}) {
    this.chunkRange = opts.chunkRange ?? 2 * 60 * 60 * 1000;
    this.samplesPerChunk = opts.samplesPerChunk ?? 120;
    this.outOfOrderWindow = opts.outOfOrderWindow ?? 0;
    this.tenantLabel = opts.tenantLabel ?? TENANT_LABEL;
    this.maxSeriesPerTenant = opts.maxSeriesPerTenant ?? Infinity;
  }

  /**
   * Appends a float sample to the series given by ref or labels, creating it if needed, and
   * returns the series ref to pass next time. Throws a {@link TsdbError} subclass on rejection.
   */
  append(series: number | Labels, t: number, v: number): number {
    const s =
      typeof series === 'number' ? this.seriesByRefOrThrow(series) : this.getOrCreate(series);
    appendSample(this, s, t, v);
    return s.ref;
  }

  /** Appends a float sample to a series this head holds (from {@link getOrCreate}); throws like {@link append}. */
  appendTo(series: MemSeries, t: number, v: number): void {
    appendSample(this, series, t, v);
  }

  /**
   * Appends a series' samples (e.g. one decoded remote write series), creating the series if
   * needed; per-sample rejections are counted, while series-level errors (invalid labels,
   * series limit) still throw.
   */
  appendSamples(
    series: number | Labels,
    timestamps: ArrayLike<number>,
    values: ArrayLike<number>,
  ): AppendSeriesResult {
    const s =
      typeof series === 'number' ? this.seriesByRefOrThrow(series) : this.getOrCreate(series);
    return appendSeriesSamples(this, s, timestamps, values);
  }

  /** Returns the series ref for a label set, creating the series if it does not exist. */
  getOrCreate(labels: Labels): MemSeries {
    // A Number key (low 52 bits) keeps Map lookups off BigInt hashing; collisions are resolved by labels.
    const hash = Number(labelsHash(labels) & HASH_MASK);
    const found = this.lookup(hash, labels);
    if (found) return found;
    validateLabels(labels);
    const pairs: string[] = new Array<string>(labels.length * 2);
    for (let i = 0; i < labels.length; i++) {
      pairs[2 * i] = this.interned.of(labels[i].name);
      pairs[2 * i + 1] = this.interned.of(labels[i].value);
    }
    return this.insert(pairs, hash);
  }

  /**
   * The series whose labels are the label block `block`, if the head holds it; `hashKey` is the
   * low 52 bits of the block's xxhash64 (as {@link labelBlockHash} gives it), which the write path
   * carries with the block, so a series is found without label strings or hashing them again.
   */
  seriesByBlock(block: LabelBlockRef, hashKey: number): MemSeries | undefined {
    const e = this.byHash.get(hashKey);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return pairsEqualBlock(e.pairs, block) ? e : undefined;
    return e.find((s) => pairsEqualBlock(s.pairs, block));
  }

  /**
   * Creates the series of a label block the head does not hold yet (see {@link seriesByBlock}):
   * its strings are read from the block straight into the head's interned ones. Throws like
   * {@link getOrCreate} on unsorted or empty names and at the tenant's series limit, and a
   * RangeError on a malformed block.
   */
  createFromBlock(block: LabelBlockRef, hashKey: number): MemSeries {
    const { buf, end } = block;
    // Built in a reused array and copied once at its exact size: a pushed array keeps spare slots.
    const pairs = scratchPairs;
    pairs.length = 0;
    let i = block.start;
    while (i < end) {
      const name = this.interned.fromBlock(buf, i, end);
      i = this.interned.textEnd + 1;
      const value = this.interned.fromBlock(buf, i, end);
      i = this.interned.textEnd + 1;
      if (name === '') throw new InvalidLabelsError('label set contains an empty label name');
      const n = pairs.length;
      if (n > 0 && compareStrings(pairs[n - 2], name) >= 0)
        throw new InvalidLabelsError(`labels not sorted or duplicated at ${JSON.stringify(name)}`);
      pairs.push(name, value);
    }
    return this.insert(pairs.slice(), hashKey);
  }

  private insert(pairs: string[], hash: number): MemSeries {
    let tenant = '';
    for (let i = 0; i < pairs.length; i += 2)
      if (pairs[i] === this.tenantLabel) tenant = pairs[i + 1];
    const count = this.tenants.get(tenant) ?? 0;
    if (count >= this.maxSeriesPerTenant)
      throw new SeriesLimitExceededError(tenant, this.maxSeriesPerTenant);
    const s = new MemSeries(this.nextRef++, pairs, hash, tenant);
    this.byRef.set(s.ref, s);
    const prev = this.byHash.get(hash);
    if (prev === undefined) this.byHash.set(hash, s);
    else this.byHash.set(hash, Array.isArray(prev) ? [...prev, s] : [prev, s]);
    this.postings.add(s.ref, pairs);
    this.tenants.set(tenant, count + 1);
    return s;
  }

  /** The series with this ref, if the head holds it. */
  seriesByRef(ref: number): MemSeries | undefined {
    return this.byRef.get(ref);
  }

  /** The series with these labels, if the head holds it. */
  seriesByLabels(labels: Labels): MemSeries | undefined {
    return this.lookup(Number(labelsHash(labels) & HASH_MASK), labels);
  }

  /** Number of series held. */
  numSeries(): number {
    return this.byRef.size;
  }

  /** Walks every series to report chunk counts and sizes; O(series), meant for periodic metrics. */
  stats(): HeadStats {
    let chunks = 0;
    let chunkBytes = 0;
    let oooSamples = 0;
    for (const s of this.byRef.values()) {
      chunks += s.chunks.length;
      for (const c of s.chunks) chunkBytes += c.bytes.length;
      if (s.headChunk) {
        chunks++;
        chunkBytes += s.headChunk.bytes().length;
      }
      oooSamples += s.ooo?.ts.length ?? 0;
    }
    return {
      series: this.byRef.size,
      chunks,
      chunkBytes,
      oooSamples,
      minT: this.minT,
      maxT: this.maxT,
    };
  }

  /** Series held per tenant (value of the tenant label, '' when absent). */
  activeSeriesByTenant(): ReadonlyMap<string, number> {
    return this.tenants;
  }

  /** Series held for one tenant. */
  activeSeries(tenant: string): number {
    return this.tenants.get(tenant) ?? 0;
  }

  /** A querier over samples within [mint, maxt] (inclusive); data before the truncation point stays hidden. */
  querier(mint: number, maxt: number): HeadQuerier {
    // Truncation drops whole chunks only, so samples older than the cut may linger in a chunk.
    return new HeadQuerier(this, Math.max(mint, this.minValidTime), maxt);
  }

  /**
   * Drops data before `mint` (e.g. once persisted to a block), makes older samples out of bounds,
   * and garbage-collects series left without samples.
   */
  truncate(mint: number): TruncateResult {
    this.minValidTime = Math.max(this.minValidTime, mint);
    let removedChunks = 0;
    const dead = new Set<number>();
    for (const s of this.byRef.values()) {
      removedChunks += s.truncateBefore(mint);
      if (s.isEmpty()) dead.add(s.ref);
    }
    this.removeSeries(dead);
    this.minT = Infinity;
    for (const s of this.byRef.values()) this.minT = Math.min(this.minT, s.minTime());
    if (this.byRef.size === 0) this.maxT = -Infinity;
    return { removedSeries: dead.size, removedChunks };
  }

  /** Garbage-collects series whose newest sample is older than `before`, keeping their time range readable otherwise. */
  gcInactive(before: number): number {
    const dead = new Set<number>();
    for (const s of this.byRef.values()) if (s.maxTime() < before) dead.add(s.ref);
    this.removeSeries(dead);
    return dead.size;
  }

  /** @internal Iterates every series. */
  allSeries(): IterableIterator<MemSeries> {
    return this.byRef.values();
  }

  private removeSeries(dead: ReadonlySet<number>): void {
    if (dead.size === 0) return;
    this.postings.delete(dead, (ref) => this.byRef.get(ref)?.pairs ?? []);
    for (const ref of dead) {
      const s = this.byRef.get(ref);
      if (!s) continue;
      this.byRef.delete(ref);
      const entry = this.byHash.get(s.hashKey);
      if (Array.isArray(entry)) {
        const rest = entry.filter((x) => x !== s);
        this.byHash.set(s.hashKey, rest.length === 1 ? rest[0] : rest);
      } else {
        this.byHash.delete(s.hashKey);
      }
      const n = (this.tenants.get(s.tenant) ?? 1) - 1;
      if (n === 0) this.tenants.delete(s.tenant);
      else this.tenants.set(s.tenant, n);
    }
    // Rebuilding beats reference counting: truncation is rare and this keeps appends free of bookkeeping.
    const live = new InternTable();
    for (const s of this.byRef.values()) for (const p of s.pairs) live.of(p);
    this.interned = live;
  }

  private seriesByRefOrThrow(ref: number): MemSeries {
    const s = this.byRef.get(ref);
    if (!s) throw new SeriesNotFoundError(ref);
    return s;
  }

  private lookup(hash: number, labels: Labels): MemSeries | undefined {
    const e = this.byHash.get(hash);
    if (e === undefined) return undefined;
    if (!Array.isArray(e)) return pairsEqual(e.pairs, labels) ? e : undefined;
    return e.find((s) => pairsEqual(s.pairs, labels));
  }
}

const scratchPairs: string[] = [];

function pairsEqual(pairs: readonly string[], labels: Labels): boolean {
  if (pairs.length !== labels.length * 2) return false;
  for (let i = 0; i < labels.length; i++) {
    if (pairs[2 * i] !== labels[i].name || pairs[2 * i + 1] !== labels[i].value) return false;
  }
  return true;
}

// Label text is nearly always ASCII, compared code for code; other text is decoded to compare.
function pairsEqualBlock(pairs: readonly string[], block: LabelBlockRef): boolean {
  const buf = block.buf;
  let o = block.start;
  for (let p = 0; p < pairs.length; p++) {
    const text = pairs[p];
    const n = text.length;
    if (o + n >= block.end) return false;
    for (let k = 0; k < n; k++) {
      const c = text.charCodeAt(k);
      if (c >= 0x80) return pairsEqual(pairs, decodeLabelBlock(block));
      if (buf[o + k] !== c) return false;
    }
    if (buf[o + n] !== LABEL_SEP) return false;
    o += n + 1;
  }
  return o === block.end;
}

function validateLabels(labels: Labels): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i].name === '')
      throw new InvalidLabelsError('label set contains an empty label name');
    if (i > 0 && compareStrings(labels[i - 1].name, labels[i].name) >= 0) {
      throw new InvalidLabelsError(
        `labels not sorted or duplicated at ${JSON.stringify(labels[i].name)}`,
      );
    }
  }
}
