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
export { collectModelGarbage, modelTenants } from './model-garbage';
