export {
  createStoreClient,
  TENANT_LABEL,
  type StoreClient,
  type StoreClientOptions,
  type StoreQuery,
  type StoreSeries,
  type StoreResult,
} from './store-client';
export {
  mergeCardinality,
  mergeTsdbStatus,
  type TenantCardinality,
  type TenantHeadStatus,
} from './cardinality-merge';
