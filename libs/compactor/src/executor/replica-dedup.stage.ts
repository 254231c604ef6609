import { open, rm } from 'node:fs/promises';
import { type ReplicaSeries, dedupPair, withoutReplicaLabels } from '@strata/store-client';
import {
  type BlockChunk,
  type BlockSeries,
  type Labels,
  compareLabelsUtf8,
  encodeXorChunks,
  mergeSeriesChunks,
  xorIteratorFromBytes,
} from '@strata/tsdb';

/** How replicas of one series merge once their replica labels are gone (Thanos' `--deduplication.func`). */
export type DedupFunc = 'one-of' | 'penalty';

interface SpilledChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly offset: number;
  readonly length: number;
}

/**
 * Drops the replica labels from a sorted series stream and merges the series that become
 * identical: `one-of` keeps each timestamp once (the first replica's value), `penalty` follows one
 * replica at a time with Thanos' penalty algorithm, so a gap in one is filled from the other and
 * two offset scrapes never interleave. Dropping a label can reorder series, so chunk bytes are
 * spilled to `spillPath` while labels and chunk positions are kept in memory (what the block
 * writer keeps anyway) and sorted; samples are decoded one series at a time.
 */
export async function* dedupReplicaSeries(
  input: AsyncIterable<BlockSeries>,
  replicaLabels: ReadonlySet<string>,
  func: DedupFunc,
  spillPath: string,
): AsyncGenerator<BlockSeries> {
  if (replicaLabels.size === 0) {
    yield* input;
    return;
  }
  const fh = await open(spillPath, 'w+');
  try {
    const groups = new Map<string, { labels: Labels; replicas: SpilledChunk[][] }>();
    let offset = 0;
    for await (const s of input) {
      const labels = withoutReplicaLabels(s.labels, replicaLabels);
      const key = labels.map((l) => `${l.name}\u0000${l.value}`).join('\u0001');
      const spilled: SpilledChunk[] = [];
      for (const c of s.chunks) {
        await fh.write(c.data, 0, c.data.length, offset);
        spilled.push({ minT: c.minT, maxT: c.maxT, offset, length: c.data.length });
        offset += c.data.length;
      }
      const g = groups.get(key);
      if (g) g.replicas.push(spilled);
      else groups.set(key, { labels, replicas: [spilled] });
    }
    const ordered = [...groups.values()].sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
    groups.clear();
    for (const g of ordered) {
      const replicas: BlockChunk[][] = [];
      for (const chunks of g.replicas) {
        const read: BlockChunk[] = [];
        for (const c of chunks) {
          const data = Buffer.allocUnsafe(c.length);
          await fh.read(data, 0, c.length, c.offset);
          read.push({ minT: c.minT, maxT: c.maxT, data });
        }
        replicas.push(read);
      }
      yield { labels: g.labels, chunks: mergeReplicas(g.labels, replicas, func) };
    }
  } finally {
    await fh.close();
    await rm(spillPath, { force: true });
  }
}

function mergeReplicas(labels: Labels, replicas: BlockChunk[][], func: DedupFunc): BlockChunk[] {
  if (replicas.length === 1 || func === 'one-of') return mergeSeriesChunks(replicas);
  const decoded = replicas.map((chunks) => decode(labels, mergeSeriesChunks([chunks])));
  const merged = decoded.reduce((acc, s) => dedupPair(acc, s));
  return encodeXorChunks(merged.timestamps, merged.values);
}

function decode(labels: Labels, chunks: readonly BlockChunk[]): ReplicaSeries {
  const t: number[] = [];
  const v: number[] = [];
  for (const c of chunks) {
    const it = xorIteratorFromBytes(c.data);
    while (it.next()) {
      t.push(it.t);
      v.push(it.v);
    }
  }
  return { labels, timestamps: Float64Array.from(t), values: Float64Array.from(v) };
}
