export { IngesterModule } from './ingester.module';
export { ingesterService } from './ingester.definition';
export { IngesterService } from './ingester.service';
export {
  encodeHeadSnapshot,
  decodeHeadSnapshot,
  CorruptSnapshotError,
  type HeadSnapshot,
} from './snapshot/head-snapshot';
