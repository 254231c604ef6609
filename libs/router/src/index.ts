export { RouterModule } from './router.module';
export { routerService } from './router.definition';
/** How a remote write becomes ingest messages, for the write path's stage benchmark. */
export { prepareWrite, type PrepareWriteInput } from './write/codec/prepare-write';
