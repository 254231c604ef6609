import { type Head } from '../head/head';
import { type MemSeries } from '../head/series';
import { type Label } from '../labels';
import { type BlockChunk, type BlockSeries, encodeXorChunks } from './block-writer';
import { compareLabelsUtf8 } from './series-order';

/** Which part of a head goes into a block. */
export interface HeadCutOptions {
  /** Block range [mint, maxt): samples at maxt belong to the next block. */
  readonly mint: number;
  readonly maxt: number;
  /** Only series whose tenant label has this value; all series when absent. */
  readonly tenant?: string;
  /** Label names removed from each series, e.g. the tenant label kept as an external label instead. */
  readonly dropLabels?: readonly string[];
  /** Samples per re-encoded chunk (default: the head's). */
  readonly samplesPerChunk?: number;
}

/**
 * The series of a head within [mint, maxt), sorted for {@link writeBlock}. Closed chunks that lie
 * wholly inside the range are reused byte for byte; a series with out-of-order samples, or with a
 * chunk crossing the range's edges, is re-encoded from its merged samples.
 */
export function headBlockSeries(head: Head, opts: HeadCutOptions): BlockSeries[] {
  const drop = new Set(opts.dropLabels ?? []);
  const out: BlockSeries[] = [];
  for (const s of head.allSeries()) {
    if (opts.tenant !== undefined && s.tenant !== opts.tenant) continue;
    if (s.maxTime() < opts.mint || s.minTime() >= opts.maxt) continue;
    const chunks =
      reusableChunks(s, opts.mint, opts.maxt) ?? reencode(s, opts, head.samplesPerChunk);
    if (chunks.length === 0) continue;
    const labels: Label[] = [];
    for (let i = 0; i < s.pairs.length; i += 2)
      if (!drop.has(s.pairs[i])) labels.push({ name: s.pairs[i], value: s.pairs[i + 1] });
    out.push({ labels, chunks });
  }
  return out.sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
}

function reusableChunks(s: MemSeries, mint: number, maxt: number): BlockChunk[] | null {
  if (s.ooo !== null && s.ooo.ts.some((t) => t >= mint && t < maxt)) return null;
  const out: BlockChunk[] = [];
  for (const c of s.chunks) {
    if (c.maxT < mint || c.minT >= maxt) continue;
    if (c.minT < mint || c.maxT >= maxt) return null;
    out.push({ minT: c.minT, maxT: c.maxT, data: c.bytes });
  }
  const h = s.headChunk;
  if (h !== null && h.numSamples() > 0 && h.maxT() >= mint && h.minT() < maxt) {
    if (h.minT() < mint || h.maxT() >= maxt) return null;
    // The open chunk keeps growing; the block gets a copy of what it holds now.
    out.push({ minT: h.minT(), maxT: h.maxT(), data: h.bytes().slice() });
  }
  return out;
}

function reencode(s: MemSeries, opts: HeadCutOptions, headSamplesPerChunk: number): BlockChunk[] {
  const ts: number[] = [];
  const vs: number[] = [];
  const it = s.iterator(opts.mint, opts.maxt - 1);
  while (it.next()) {
    ts.push(it.t);
    vs.push(it.v);
  }
  return encodeXorChunks(ts, vs, opts.samplesPerChunk ?? headSamplesPerChunk);
}
