export { BlockUploadController, type BlockUploadView } from './block-upload.controller';
export { acceptBlockTarBodies } from './block-tar-body';
export { BLOCK_TAR_TYPE, extractBlockTar } from './block-tar';
export { DeleteSeriesController } from './delete-series.controller';
