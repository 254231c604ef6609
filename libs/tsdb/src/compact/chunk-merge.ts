import { ENC_XOR, xorIteratorFromBytes } from '../chunk/xor';
import { InvalidBlockError } from '../errors';
import { type BlockChunk, encodeXorChunks } from '../block/block-writer';

/** Samples per re-encoded chunk, Prometheus' target. */
const SAMPLES_PER_CHUNK = 120;

/**
 * Merges the chunks of one series gathered from several blocks (in the order of the blocks given,
 * which decides which value a duplicated timestamp keeps). Chunks that overlap no other pass
 * through as they are, bytes untouched; each run of overlapping chunks is decoded, merged by
 * timestamp (a timestamp kept once, with the value of the earliest source, as Prometheus'
 * vertical compaction does) and re-encoded into XOR chunks of at most 120 samples.
 */
export function mergeSeriesChunks(sources: ReadonlyArray<readonly BlockChunk[]>): BlockChunk[] {
  if (sources.length === 1) return [...sources[0]];
  const tagged: Array<{ c: BlockChunk; rank: number }> = [];
  sources.forEach((chunks, rank) => {
    for (const c of chunks) tagged.push({ c, rank });
  });
  tagged.sort((a, b) => a.c.minT - b.c.minT || a.rank - b.rank);
  const out: BlockChunk[] = [];
  let i = 0;
  while (i < tagged.length) {
    let j = i + 1;
    let runMax = tagged[i].c.maxT;
    while (j < tagged.length && tagged[j].c.minT <= runMax) {
      runMax = Math.max(runMax, tagged[j].c.maxT);
      j++;
    }
    if (j === i + 1) out.push(tagged[i].c);
    else out.push(...mergeRun(tagged.slice(i, j)));
    i = j;
  }
  return out;
}

function mergeRun(run: ReadonlyArray<{ c: BlockChunk; rank: number }>): BlockChunk[] {
  // Overlapping aggregates cannot be merged sample by sample; the compactor halts instead.
  if (run.some(({ c }) => c.encoding !== undefined && c.encoding !== ENC_XOR))
    throw new InvalidBlockError('overlapping chunks that are not XOR cannot be merged');
  // Decoding the run is bounded by the run, i.e. by one series' overlapping chunks.
  const byTime = new Map<number, { v: number; rank: number }>();
  for (const { c, rank } of run) {
    const it = xorIteratorFromBytes(c.data);
    while (it.next()) {
      const seen = byTime.get(it.t);
      if (seen === undefined || rank < seen.rank) byTime.set(it.t, { v: it.v, rank });
    }
  }
  const ts = [...byTime.keys()].sort((a, b) => a - b);
  const vs = ts.map((t) => byTime.get(t)?.v ?? NaN);
  return encodeXorChunks(ts, vs, SAMPLES_PER_CHUNK);
}
