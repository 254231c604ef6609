export { IngesterModule } from './ingester.module';
export { ingesterService } from './ingester.definition';
export { IngesterService } from './ingester.service';
export { PartitionHead, type ApplyStats, type PartitionHeadOptions } from './head/partition-head';
export {
  encodeHeadSnapshot,
  decodeHeadSnapshot,
  CorruptSnapshotError,
  type HeadSnapshot,
} from './snapshot/head-snapshot';
