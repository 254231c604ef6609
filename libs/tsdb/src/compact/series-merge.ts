import { type BlockChunk, type BlockSeries } from '../block/block-writer';
import { type BlockReader } from '../block/block-reader';
import { matcher } from '../index/matchers';
import { compareLabelsUtf8 } from '../block/series-order';
import { mergeSeriesChunks } from './chunk-merge';

/**
 * Every series of a block with its chunks as stored, in the block's (UTF-8 label) order, read in
 * batches: what a compaction consumes without loading the block.
 */
export async function* blockSeries(
  reader: BlockReader,
  batchSize = 256,
): AsyncGenerator<BlockSeries> {
  for await (const s of reader.select([matcher('=~', '__name__', '.*')], undefined, undefined, {
    batchSize,
  })) {
    yield {
      labels: s.labels,
      chunks: s.chunks.map((c): BlockChunk => ({
        minT: c.minT,
        maxT: c.maxT,
        data: c.data,
        encoding: c.encoding,
      })),
    };
  }
}

/**
 * K-way merge of series streams that are each sorted by labels: a series found in several streams
 * comes out once, its chunks merged by {@link mergeSeriesChunks} (earlier streams win a
 * duplicated timestamp). Memory holds one pending series per stream, never a whole block.
 */
export async function* mergeSortedSeries(
  streams: ReadonlyArray<AsyncIterable<BlockSeries>>,
): AsyncGenerator<BlockSeries> {
  const its = streams.map((s) => s[Symbol.asyncIterator]());
  const heads: Array<BlockSeries | null> = await Promise.all(its.map(nextOf));
  for (;;) {
    let min: BlockSeries | null = null;
    for (const h of heads)
      if (h && (min === null || compareLabelsUtf8(h.labels, min.labels) < 0)) min = h;
    if (min === null) return;
    const parts: Array<readonly BlockChunk[]> = [];
    const labels = min.labels;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k];
      if (h && compareLabelsUtf8(h.labels, labels) === 0) {
        parts.push(h.chunks);
        heads[k] = await nextOf(its[k]);
      }
    }
    yield { labels, chunks: mergeSeriesChunks(parts) };
  }
}

async function nextOf(it: AsyncIterator<BlockSeries>): Promise<BlockSeries | null> {
  const r = await it.next();
  return r.done ? null : r.value;
}
