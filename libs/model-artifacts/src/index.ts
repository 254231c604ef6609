export { digestOfBlobKey, modelKeys } from './model-keys';
export {
  KvTenantLock,
  type KvTenantLockOptions,
  LocalTenantLock,
  type LockedWork,
  MODEL_LOCK_TTL_MS,
  openModelLock,
  type TenantLock,
} from './tenant-lock';
export { collectModelGarbage, DEFAULT_UPLOAD_GRACE_MS, modelTenants } from './model-garbage';
export {
  collectAbandonedUploads,
  dropUpload,
  normalizeEtag,
  partCount,
  readLedger,
  reportedParts,
  reportPart,
  type UploadLedger,
  uploadKeys,
  writeLedger,
} from './model-uploads';
