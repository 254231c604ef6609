export * from './chunk/bstream';
export * from './chunk/xor';
export * from './errors';
export * from './exemplar/exemplar-storage';
export * from './head/head';
export {
  appendableMinValidTime,
  newSeriesRefusal,
  type AppendSeriesResult,
} from './head/head-append';
export * from './head/head-read';
export { MemSeries, OooBuffer, type ClosedChunk } from './head/series';
export * from './index/matchers';
export * from './index/postings';
export * from './iterator';
export * from './label-block';
export * from './labels';
export * from './value';
