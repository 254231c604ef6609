import { XorChunk, xorIteratorFromBytes } from '../chunk/xor';
import { type BlockChunk } from '../block/block-writer';
import { type SampleIterator } from '../iterator';
import { isStaleNaN } from '@strata/contracts';
import { type Aggregate, ENC_AGGR, aggrChunkPart, encodeAggrChunk } from './aggr-chunk';
import { CounterResetsIterator } from './counter-resets';

/** The last millisecond of the resolution window holding `t` (windows are `[k·r, (k+1)·r)`). */
export function windowEnd(t: number, resolution: number): number {
  return t - mod(t, resolution) + resolution - 1;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** Running state of one window and of the counter since the batch began (Thanos' aggregator). */
class Aggregator {
  total = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  counter = 0;
  last = 0;

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Number.MAX_VALUE;
    this.max = -Number.MAX_VALUE;
  }

  add(v: number): void {
    if (this.total > 0) this.counter += v < this.last ? v : v - this.last;
    else this.counter = v;
    this.last = v;
    this.sum += v;
    this.count++;
    this.total++;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
}

/**
 * Aggregates samples window by window and calls `emit` at each window's end, capped at the
 * batch's last timestamp so that a batch never reaches into the next; returns that last window end.
 */
function aggregateBatch(
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  from: number,
  to: number,
  resolution: number,
  emit: (t: number, a: Aggregator) => void,
): number {
  const a = new Aggregator();
  const lastT = ts[to - 1];
  let next = -Infinity;
  for (let i = from; i < to; i++) {
    if (isStaleNaN(vs[i])) continue;
    if (ts[i] > next) {
      if (next !== -Infinity) emit(next, a);
      a.reset();
      next = Math.min(windowEnd(ts[i], resolution), lastT);
    }
    a.add(vs[i]);
  }
  emit(next, a);
  return next;
}

// Thanos sizes chunks so that each holds about 140 samples per aggregate.
function targetChunkCount(
  mint: number,
  maxt: number,
  inRes: number,
  outRes: number,
  count: number,
): number {
  const maxSamples = Math.floor((maxt - mint) / outRes);
  const fullness = Math.min(1, count / ((maxt - mint) / inRes));
  const expected = Math.floor(maxSamples * (Number.isFinite(fullness) ? fullness : 1)) + 1;
  let x = 1;
  while (Math.floor(expected / x) > 140) x++;
  return x;
}

class AggrBuilder {
  readonly chunks: Partial<Record<Aggregate, XorChunk>> = {};
  minT = Infinity;
  maxT = -Infinity;

  chunk(a: Aggregate): XorChunk {
    return (this.chunks[a] ??= new XorChunk());
  }

  append(a: Aggregate, t: number, v: number): void {
    this.chunk(a).append(t, v);
    if (t < this.minT) this.minT = t;
    if (t > this.maxT) this.maxT = t;
  }

  encode(): BlockChunk {
    return {
      minT: this.minT,
      maxT: this.maxT,
      data: encodeAggrChunk(this.chunks),
      encoding: ENC_AGGR,
    };
  }
}

/**
 * Downsamples raw samples (ascending, NaNs dropped as Thanos does) into AggrChunks of count, sum,
 * min, max and counter at `resolution`. Each counter chunk starts with the batch's first raw
 * sample and ends with its last raw value repeated at the last window's timestamp.
 */
export function downsampleRaw(
  ts: ArrayLike<number>,
  vs: ArrayLike<number>,
  resolution: number,
): BlockChunk[] {
  const t: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    if (Number.isNaN(vs[i])) continue;
    t.push(ts[i]);
    v.push(vs[i]);
  }
  if (t.length === 0) return [];
  // A raw resolution of one minute is assumed, as Thanos does, to size the chunks.
  const numChunks = targetChunkCount(t[0], t[t.length - 1], 60_000, resolution, t.length);
  const batchSize = Math.floor(t.length / numChunks) + 1;
  const out: BlockChunk[] = [];
  let from = 0;
  while (from < t.length) {
    let to = Math.min(from + batchSize, t.length);
    // Take the rest of the window the batch ended in, so windows never span two chunks.
    const end = windowEnd(t[to - 1], resolution);
    while (to < t.length && t[to] <= end) to++;
    const b = new AggrBuilder();
    b.append('counter', t[from], v[from]);
    const lastT = aggregateBatch(t, v, from, to, resolution, (wt, a) => {
      b.append('count', wt, a.count);
      b.append('sum', wt, a.sum);
      b.append('min', wt, a.min);
      b.append('max', wt, a.max);
      b.append('counter', wt, a.counter);
    });
    b.append('counter', lastT, v[to - 1]);
    out.push(b.encode());
    from = to;
  }
  return out;
}

function expand(it: SampleIterator, t: number[], v: number[]): void {
  let last = -Infinity;
  while (it.next()) {
    if (isStaleNaN(it.v) || it.t < last) continue;
    t.push(it.t);
    v.push(it.v);
    last = it.t;
  }
}

/**
 * Downsamples AggrChunks of resolution `inRes` to `outRes` along chunk boundaries (a chunk's
 * first and last counter values are the raw series' and must survive): count and sum are summed,
 * min and max kept, the counter re-derived from the totals with resets applied.
 */
export function downsampleAggr(
  chunks: readonly BlockChunk[],
  inRes: number,
  outRes: number,
): BlockChunk[] {
  if (chunks.length === 0) return [];
  let samples = 0;
  for (const c of chunks) {
    const count = aggrChunkPart(c.data, 'count');
    if (count !== null) samples += (count[0] << 8) | count[1];
  }
  const numChunks = targetChunkCount(
    chunks[0].minT,
    chunks[chunks.length - 1].maxT,
    inRes,
    outRes,
    samples,
  );
  const batch = Math.max(1, Math.floor(chunks.length / numChunks));
  const out: BlockChunk[] = [];
  for (let i = 0; i < chunks.length; i += batch)
    out.push(downsampleAggrBatch(chunks.slice(i, i + batch), outRes));
  return out;
}

function downsampleAggrBatch(chunks: readonly BlockChunk[], resolution: number): BlockChunk {
  const b = new AggrBuilder();
  const pick: Array<[Aggregate, (a: Aggregator) => number]> = [
    // Counts of the input windows are summed, which gives the count of raw samples.
    ['count', (a) => a.sum],
    ['sum', (a) => a.sum],
    ['min', (a) => a.min],
    ['max', (a) => a.max],
  ];
  for (const [name, f] of pick) {
    const t: number[] = [];
    const v: number[] = [];
    for (const c of chunks) {
      const part = aggrChunkPart(c.data, name);
      if (part !== null) expand(xorIteratorFromBytes(part), t, v);
    }
    if (t.length > 0)
      aggregateBatch(t, v, 0, t.length, resolution, (wt, a) => b.append(name, wt, f(a)));
  }
  const counters: SampleIterator[] = [];
  for (const c of chunks) {
    const part = aggrChunkPart(c.data, 'counter');
    if (part !== null) counters.push(xorIteratorFromBytes(part));
  }
  const it = new CounterResetsIterator(counters);
  const t: number[] = [];
  const v: number[] = [];
  expand(it, t, v);
  if (t.length > 0) {
    b.append('counter', t[0], v[0]);
    const lastT = aggregateBatch(t, v, 0, t.length, resolution, (wt, a) =>
      b.append('counter', wt, a.counter),
    );
    b.append('counter', lastT, it.lastRaw);
  }
  return b.encode();
}

/** The samples of one aggregate across a series' AggrChunks; `counter` has its resets applied. */
export function aggregateIterator(
  chunks: readonly { readonly data: Uint8Array }[],
  aggregate: Aggregate,
): SampleIterator {
  const parts: SampleIterator[] = [];
  for (const c of chunks) {
    const part = aggrChunkPart(c.data, aggregate);
    if (part !== null) parts.push(xorIteratorFromBytes(part));
  }
  if (aggregate === 'counter') return new CounterResetsIterator(parts);
  return new ChainedIterator(parts);
}

class ChainedIterator implements SampleIterator {
  private i = 0;
  private started = false;
  t = 0;
  v = 0;

  constructor(private readonly parts: readonly SampleIterator[]) {}

  next(): boolean {
    while (this.i < this.parts.length) {
      const p = this.parts[this.i];
      if (p.next()) {
        this.started = true;
        this.t = p.t;
        this.v = p.v;
        return true;
      }
      this.i++;
    }
    return false;
  }

  seek(t: number): boolean {
    if (this.started && this.t >= t && this.i < this.parts.length) return true;
    while (this.next()) if (this.t >= t) return true;
    return false;
  }
}
