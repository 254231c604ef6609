export { InvalidBlockError, type BlockRefusal } from './errors';
export { blockKey, META_FILE, ULID_PATTERN } from './keys';
export { listTenantBlocks, readTenantBlockMeta, readObject } from './tenant-blocks';
export { validateBlockDir, type ValidatedBlock, type BlockFile } from './validate-block';
export {
  uploadBlock,
  UPLOAD_SOURCE,
  TENANT_LABEL,
  type UploadBlockOptions,
  type UploadedBlock,
} from './upload';
