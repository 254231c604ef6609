import { XorChunk } from '../chunk/xor';
import {
  DuplicateSampleError,
  OutOfBoundsError,
  OutOfOrderSampleError,
  TooOldSampleError,
  TsdbError,
  type TsdbErrorCode,
} from '../errors';
import { type Head } from './head';
import { type MemSeries, OooBuffer, pushChunk } from './series';

const f64 = new Float64Array(2);
const u32 = new Uint32Array(f64.buffer);

// Prometheus compares values bit for bit, so re-sending a NaN sample is a no-op, not a conflict.
function sameBits(a: number, b: number): boolean {
  f64[0] = a;
  f64[1] = b;
  if (u32[0] !== u32[2]) return false;
  if (u32[1] === u32[3]) return true;
  // V8 may quiet one copy of a signalling NaN (the stale marker) and not the other.
  return a !== a && b !== b && (u32[1] | 0x80000) === (u32[3] | 0x80000);
}

/** Oldest time the in-order head accepts: half a chunk range behind the newest sample, as Prometheus does. */
export function appendableMinValidTime(head: Head): number {
  return Math.max(appendFloor(head), head.maxT - head.chunkRange / 2);
}

// Truncation and a shipped block range both bound what may still be appended.
function appendFloor(head: Head): number {
  return Math.max(head.minValidTime, head.minAppendTime);
}

/**
 * Why the head would refuse `t` for a series it does not hold yet, or null when it would take it:
 * what Prometheus checks before creating a series, so that refused samples create none.
 */
export function newSeriesRefusal(head: Head, t: number): TsdbError | null {
  const floor = appendFloor(head);
  if (t < floor) return new OutOfBoundsError(t, floor);
  const inOrderMin = appendableMinValidTime(head);
  if (t >= inOrderMin) return null;
  if (head.outOfOrderWindow <= 0) return new OutOfBoundsError(t, inOrderMin);
  const oooMin = Math.max(floor, head.maxT - head.outOfOrderWindow);
  return t < oooMin ? new TooOldSampleError(t, oooMin) : null;
}

/**
 * Appends one float sample with Prometheus' rules: too old for the head → out of bounds;
 * older than the series' newest → out of order (or into the OOO buffer within the window);
 * same timestamp → no-op if the value is identical, otherwise a duplicate-sample error.
 */
export function appendSample(head: Head, s: MemSeries, t: number, v: number): void {
  const floor = appendFloor(head);
  if (t < floor) throw new OutOfBoundsError(t, floor);
  const inOrderMin = appendableMinValidTime(head);
  if (t === s.lastT) {
    if (sameBits(v, s.lastV)) return;
    throw new DuplicateSampleError(t);
  }
  if (t > s.lastT && t >= inOrderMin) {
    appendInOrder(head, s, t, v);
    return;
  }
  const window = head.outOfOrderWindow;
  if (window <= 0) {
    if (t < inOrderMin) throw new OutOfBoundsError(t, inOrderMin);
    throw new OutOfOrderSampleError(t, s.lastT);
  }
  const oooMin = Math.max(floor, head.maxT - window);
  if (t < oooMin) throw new TooOldSampleError(t, oooMin);
  // An OOO sample may land on a timestamp the in-order chunks already hold; treat it like any
  // other repeat instead of letting two values coexist and one silently win on read.
  const inOrder = s.inOrderValueAt(t);
  if (inOrder !== undefined) {
    if (sameBits(inOrder, v)) return;
    throw new DuplicateSampleError(t);
  }
  s.ooo ??= new OooBuffer();
  const existing = s.ooo.insert(t, v);
  if (existing !== undefined && !sameBits(existing, v)) throw new DuplicateSampleError(t);
  if (t < head.minT) head.minT = t;
}

function appendInOrder(head: Head, s: MemSeries, t: number, v: number): void {
  let c = s.headChunk;
  if (c === null || c.numSamples() >= head.samplesPerChunk || t >= s.chunkRangeEnd) {
    if (c !== null) {
      pushChunk(s, { bytes: c.compact(), minT: c.minT(), maxT: c.maxT() });
    }
    // Start small and let the buffer double: many series see few samples per chunk, and a
    // closed chunk is trimmed to its exact size anyway.
    c = new XorChunk(64);
    s.headChunk = c;
    s.chunkRangeEnd = (Math.floor(t / head.chunkRange) + 1) * head.chunkRange;
  }
  c.append(t, v);
  s.lastT = t;
  s.lastV = v;
  if (t > head.maxT) head.maxT = t;
  if (t < head.minT) head.minT = t;
}

/** Outcome of appending many samples of one series; rejected samples do not stop the rest. */
export interface AppendSeriesResult {
  readonly ref: number;
  readonly appended: number;
  /** Rejected sample counts by reason, for per-reason discard metrics. */
  readonly rejected: Partial<Record<TsdbErrorCode, number>>;
  /** The first rejection, for the error message returned to the sender. */
  readonly firstError?: TsdbError;
}

/**
 * Appends samples in order, counting rather than throwing per-sample rejections, as
 * Prometheus' remote write handler does: the rest of the request is still ingested.
 */
export function appendSeriesSamples(
  head: Head,
  s: MemSeries,
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
): AppendSeriesResult {
  let appended = 0;
  let firstError: TsdbError | undefined;
  const rejected: Partial<Record<TsdbErrorCode, number>> = {};
  for (let i = 0; i < timestamps.length; i++) {
    try {
      appendSample(head, s, timestamps[i], values[i]);
      appended++;
    } catch (e) {
      if (!(e instanceof TsdbError)) throw e;
      firstError ??= e;
      rejected[e.code] = (rejected[e.code] ?? 0) + 1;
    }
  }
  return { ref: s.ref, appended, rejected, firstError };
}
