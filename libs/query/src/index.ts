export { QueryModule, SERIES_SOURCE, type QueryModuleOptions } from './query.module';
export { queryService } from './query.definition';
export {
  QueryExecutor,
  type QueryExecutorOptions,
  parseMatcherSets,
} from './service/query-executor';
export { QueryController } from './service/query.controller';
export { CardinalityExecutor, scopeSelector } from './service/cardinality-executor';
export {
  labelNamesCardinality,
  labelValuesCardinality,
  tsdbStatusData,
  serializeTsdbStatus,
} from './service/cardinality-responses';
export {
  type CardinalitySource,
  type LabelValueCounts,
  type TenantCardinality,
  type TenantHeadStatus,
} from './storage/cardinality-source';
export { errorReply } from './engine/errors';
export {
  formatPromValue,
  promTimestamp,
  toPromQueryData,
  labelsToRecord,
} from './engine/prom-json';
export { formatGoDuration } from './engine/go-duration';
export {
  type SeriesSource,
  type MetricMetadata,
  type StoredExemplar,
  type SeriesExemplars,
  type ReadScope,
} from './storage/series-source';
export { MemorySeriesSource } from './storage/memory-series-source';
export { TenantQueryable, SeriesLimitError } from './storage/tenant-queryable';
export {
  StoreSeriesSource,
  type StoreReader,
  type StoreApiQuery,
  type StoreApiReadOptions,
} from './storage/store-series-source';
