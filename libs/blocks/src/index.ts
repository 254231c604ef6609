// Read side: layout, block files over a bucket, meta.json and markers, listing.
export {
  META_FILE,
  DELETION_MARK_FILE,
  NO_COMPACT_MARK_FILE,
  isBlockUlid,
  blockDir,
  blockKey,
} from './layout';
export { BucketBlockFiles } from './bucket-block-files';
export {
  deletionMarkSchema,
  parseDeletionMark,
  formatDeletionMark,
  type DeletionMark,
  noCompactMarkSchema,
  parseNoCompactMark,
  formatNoCompactMark,
  type NoCompactMark,
} from './markers';
export { readBlockMeta, readBlockMetaIfPresent, validateBlockMeta, readObject } from './read-meta';
export {
  listTenants,
  listTenantBlocks,
  type ListedBlock,
  type MarkedBlock,
  type TenantBlockListing,
  type ListTenantBlocksOptions,
} from './list-blocks';
export { coveredBlocks, type BlockWithMeta } from './covered-blocks';
// Import: validation and upload of Prometheus blocks.
export { InvalidBlockError, type BlockRefusal } from './errors';
export { validateBlockDir, type ValidatedBlock, type BlockFile } from './validate-block';
export { uploadBlock, UPLOAD_SOURCE, type UploadBlockOptions, type UploadedBlock } from './upload';
// The ingester's own blocks: put as written, meta.json last.
export { putBlock, deleteBlock } from './put-block';
// Deletion requests (tombstones): what `delete_series` records and the compactor applies.
export {
  TOMBSTONES_DIR,
  deletionRequestSchema,
  deletionRequestKey,
  newDeletionRequest,
  putDeletionRequest,
  parseDeletionRequest,
  listDeletionRequestIds,
  readDeletionRequest,
  listDeletionRequests,
  type DeletionRequest,
} from './deletion-requests';
export {
  DeletionMatcher,
  parseDeletionSelector,
  isDeleted,
  type DeletedInterval,
} from './deletion-matching';
