export * from './chunk/bstream';
export * from './chunk/xor';
export * from './chunk/chunk-frames';
export * from './errors';
export * from './exemplar/exemplar-storage';
export * from './head/head';
export {
  appendableMinValidTime,
  newSeriesRefusal,
  type AppendSeriesResult,
} from './head/head-append';
export * from './head/head-read';
export * from './head/head-stats';
export { MemSeries, OooBuffer, type ClosedChunk } from './head/series';
export * from './index/matchers';
export * from './index/postings';
export * from './iterator';
export * from './label-block';
export { xxh64Into } from './xxh64';
export * from './labels';
export * from './block/block-files';
export * from './block/block-reader';
export * from './block/block-writer';
export { ChunkReader, type ReadChunk } from './block/chunk-reader';
export {
  DEFAULT_SEGMENT_SIZE,
  chunkRef,
  segmentFileName,
  unpackChunkRef,
} from './block/chunk-writer';
export { compareUtf8 } from './block/encoding';
export * from './block/head-series';
export { IndexReader, type IndexSeries } from './block/index-reader';
export { type ChunkMeta, type IndexToc } from './block/index-writer';
export * from './block/meta';
export { compareLabelsUtf8 } from './block/series-order';
export * from './block/tombstones';
export * from './block/index-header';
export * from './sample-merge';
export * from './compact';
export * from './varint';
export * from './downsample';
