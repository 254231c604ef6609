export { mergeSeriesChunks } from './chunk-merge';
export { blockSeries, mergeSortedSeries } from './series-merge';
