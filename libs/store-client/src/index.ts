export {
  createStoreClient,
  type StoreClient,
  type StoreAggregate,
  type StoreClientOptions,
  type StoreDownsampling,
  type StoreQuery,
  type StoreSeries,
  type StoreReadOptions,
  type StoreSelectOptions,
  type StoreResult,
  type StoreTargets,
} from './store-client';
export {
  dedupReplicas,
  dedupPair,
  withoutReplicaLabels,
  type ReplicaSeries,
} from './replica-dedup';
export {
  mergeCardinality,
  mergeTsdbStatus,
  type TenantCardinality,
  type TenantHeadStatus,
} from './cardinality-merge';
