export { IngesterModule } from './ingester.module';
export { ingesterService } from './ingester.definition';
export { IngesterService } from './ingester.service';
export {
  PartitionHead,
  type ApplyStats,
  type PartitionHeadOptions,
  type RestoredTenantHead,
} from './head/partition-head';
export { TenantHead } from './head/tenant-head';
export { seriesOf, type SeriesSource } from './head/series-of';
export {
  encodeHeadSnapshot,
  decodeHeadSnapshot,
  CorruptSnapshotError,
  type HeadSnapshot,
  type TenantHeadState,
} from './snapshot/head-snapshot';
