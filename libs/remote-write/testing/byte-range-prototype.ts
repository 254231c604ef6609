// Prototype of the byte-range split, measured by tools/bench/remote-write/stages.ts and not built
// into the write path, since it moves work from the router to the ingester rather than saving it:
// the router scans a decompressed v1 WriteRequest, validates each series' labels and builds its
// block only to hash it, checks the samples against the window, and gives each partition the
// request's own TimeSeries bytes (plus the hashes); the ingester reads those bytes again, building
// each block with the tenant's labels, since the head confirms a series by it.
import { xxh64 } from '@node-rs/xxhash';
import { type Reader } from 'protobufjs';
import { LabelBlockBuilder, type LabelInjection } from '../src/label-block-builder';
import { partitionOf } from '../src/series-hash';
import { type ResolvedValidation } from '../src/validate';
import { WT_LEN, delimitedEnd, expectWire, readInt64, readerOf } from '../src/wire';

function readLabel(r: Reader, b: LabelBlockBuilder): void {
  const end = delimitedEnd(r);
  let ns = 0;
  let ne = 0;
  let vs = 0;
  let ve = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x0a) {
      ne = delimitedEnd(r);
      ns = r.pos;
      r.pos = ne;
    } else if (tag === 0x12) {
      ve = delimitedEnd(r);
      vs = r.pos;
      r.pos = ve;
    } else r.skipType(tag & 7);
  }
  b.add(ns, ne, vs, ve);
}

/** Scratch of one series' samples. */
const ts: number[] = [];
const vs: number[] = [];

function readSample(r: Reader): void {
  const end = delimitedEnd(r);
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag === 0x09) v = r.double();
    else if (tag === 0x10) t = readInt64(r);
    else r.skipType(tag & 7);
  }
  ts.push(t);
  vs.push(v);
}

/** The router's half: per partition, the request's series bytes and their hashes. */
export function splitByRanges(
  raw: Buffer,
  o: ResolvedValidation,
  injection: LabelInjection,
  partitions: number,
  window: { from: number; until: number },
): Array<{ partition: number; hashes: bigint[]; data: Buffer }> {
  const r = readerOf(raw);
  const b = new LabelBlockBuilder(o, injection, 1 << 16);
  const ranges: number[][] = Array.from({ length: partitions }, () => []);
  const hashes: bigint[][] = Array.from({ length: partitions }, () => []);
  const bytes = new Array<number>(partitions).fill(0);
  let idx = 0;
  while (r.pos < r.len) {
    const at = r.pos;
    const tag = r.uint32();
    if (tag !== 0x0a) {
      r.skipType(tag & 7);
      continue;
    }
    const end = delimitedEnd(r);
    b.begin();
    ts.length = 0;
    vs.length = 0;
    while (r.pos < end) {
      const t = r.uint32();
      const f = t >>> 3;
      if (f === 1) {
        expectWire('TimeSeries.labels', t & 7, WT_LEN);
        readLabel(r, b);
      } else if (f === 2) {
        expectWire('TimeSeries.samples', t & 7, WT_LEN);
        readSample(r);
      } else r.skipType(t & 7);
    }
    const start = b.finish(raw, idx++, false);
    for (const t of ts)
      if (t === 0 || t < window.from || t > window.until) throw new Error('slow path');
    const hash = xxh64(b.arena.subarray(start, b.end));
    const p = partitionOf(hash, partitions);
    ranges[p].push(at, end);
    hashes[p].push(hash);
    bytes[p] += end - at;
  }
  const out: Array<{ partition: number; hashes: bigint[]; data: Buffer }> = [];
  for (let p = 0; p < partitions; p++) {
    if (hashes[p].length === 0) continue;
    const data = Buffer.allocUnsafe(bytes[p]);
    let off = 0;
    const rs = ranges[p];
    for (let k = 0; k < rs.length; k += 2) off += raw.copy(data, off, rs[k], rs[k + 1]);
    out.push({ partition: p, hashes: hashes[p], data });
  }
  return out;
}

/** The ingester's half: each series' block (tenant labels merged in) and samples, visited in order. */
export function readRanges(
  data: Buffer,
  o: ResolvedValidation,
  injection: LabelInjection,
  visit: (
    buf: Buffer,
    start: number,
    end: number,
    t: readonly number[],
    v: readonly number[],
  ) => void,
): void {
  const r = readerOf(data);
  const b = new LabelBlockBuilder(o, injection, data.length);
  let idx = 0;
  while (r.pos < r.len) {
    r.uint32();
    const end = delimitedEnd(r);
    b.begin();
    ts.length = 0;
    vs.length = 0;
    while (r.pos < end) {
      const t = r.uint32();
      if (t >>> 3 === 1) readLabel(r, b);
      else if (t >>> 3 === 2) readSample(r);
      else r.skipType(t & 7);
    }
    const start = b.finish(data, idx++, true);
    visit(b.arena, start, b.end, ts, vs);
  }
}
