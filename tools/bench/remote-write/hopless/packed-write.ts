// A decoded write packed into one ArrayBuffer, so the main thread hands it to the heads' worker by
// transfer rather than by a structured clone of its series objects. Layout: [series count,
// sample count] as int32, then six int32 per series (block start, block end, hash low and high
// words, first sample, sample count), then the timestamps and the values as float64 (8-aligned),
// then the label blocks' bytes.
import { type DecodedSeries, low52OfWords } from '@strata/remote-write';
import { type PrototypeHeads } from './heads';

const PER_SERIES = 6;

/** Copies the series' blocks, hashes and samples into one transferable buffer. */
export function packWrite(series: readonly DecodedSeries[]): ArrayBuffer {
  let samples = 0;
  let blockBytes = 0;
  for (const s of series) {
    samples += s.timestamps.length;
    blockBytes += s.end - s.start;
  }
  const floatsAt = align8(4 * (2 + PER_SERIES * series.length));
  const bytesAt = floatsAt + 16 * samples;
  const buffer = new ArrayBuffer(bytesAt + blockBytes);
  const ints = new Int32Array(buffer, 0, floatsAt / 4);
  const ts = new Float64Array(buffer, floatsAt, samples);
  const vs = new Float64Array(buffer, floatsAt + 8 * samples, samples);
  const bytes = new Uint8Array(buffer, bytesAt);
  ints[0] = series.length;
  ints[1] = samples;
  let at = 0;
  let sample = 0;
  for (let i = 0, m = 2; i < series.length; i++, m += PER_SERIES) {
    const s = series[i];
    const n = s.end - s.start;
    bytes.set(s.buf.subarray(s.start, s.end), at);
    ints[m] = at;
    ints[m + 1] = at + n;
    ints[m + 2] = s.hashLo;
    ints[m + 3] = s.hashHi;
    ints[m + 4] = sample;
    ints[m + 5] = s.timestamps.length;
    ts.set(s.timestamps, sample);
    vs.set(s.values, sample);
    at += n;
    sample += s.timestamps.length;
  }
  return buffer;
}

/**
 * What {@link forEachPacked} hands over per series, in the shape the heads append it (the block ref
 * is reused between calls).
 */
export type PackedVisitor = PrototypeHeads['apply'];

/** Visits every series of a packed write in order, without allocating per series. */
export function forEachPacked(buffer: ArrayBuffer, visit: PackedVisitor): void {
  const head = new Int32Array(buffer, 0, 2);
  const [n, samples] = [head[0], head[1]];
  const floatsAt = align8(4 * (2 + PER_SERIES * n));
  const ints = new Int32Array(buffer, 0, floatsAt / 4);
  const ts = new Float64Array(buffer, floatsAt, samples);
  const vs = new Float64Array(buffer, floatsAt + 8 * samples, samples);
  const block = { buf: new Uint8Array(buffer, floatsAt + 16 * samples), start: 0, end: 0 };
  for (let i = 0, m = 2; i < n; i++, m += PER_SERIES) {
    block.start = ints[m];
    block.end = ints[m + 1];
    visit(block, low52OfWords(ints[m + 2], ints[m + 3]), ts, vs, ints[m + 4], ints[m + 5]);
  }
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
