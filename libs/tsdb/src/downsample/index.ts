export * from './aggr-chunk';
export { CounterResetsIterator } from './counter-resets';
export { aggregateIterator, downsampleAggr, downsampleRaw, windowEnd } from './downsample';
