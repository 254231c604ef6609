export { RouterModule } from './router.module';
export { routerService } from './router.definition';
/** How a remote write becomes ingest messages, for the write path's stage benchmark. */
export { prepareWrite, type PrepareWriteInput } from './write/codec/prepare-write';
/** Group commit of ingest messages per partition, for the durable hop's benchmark. */
export { PartitionBatcher } from './write/partition-batcher';
