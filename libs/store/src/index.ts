export { StoreModule } from './store.module';
export { storeService } from './store.definition';
export { StoreGatewayService } from './store-gateway.service';
export {
  storeGatewaySettings,
  ownsTenant,
  type StoreGatewaySettings,
} from './store-gateway.settings';
export { BlockCatalog, type CatalogSyncResult } from './blocks/block-catalog';
export { OpenBlocks, type OpenBlocksLimits } from './blocks/open-blocks';
export { IndexRangeCache } from './blocks/index-range-cache';
export {
  answerFromBlocks,
  blockMatchers,
  withTenant,
  type BlockSource,
  type StoreGatewayResponse,
} from './query/block-store-answer';
export { mergeSamples, mergeSeriesStreams, type SampleSeries } from './query/series-merge';
