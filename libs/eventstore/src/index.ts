export type {
  EventMetadata,
  NewEvent,
  RecordedEvent,
  ExpectedVersion,
  AppendResult,
  ReadBound,
} from './types';
export { ExpectedVersionConflictError, EventStoreUsageError } from './errors';
export { GENESIS_HASH, canonicalJson, eventHash, type HashedFields } from './hash';
export { EventStore, type EventStoreOptions, type Fold } from './event-store';
export { verifyChain } from './verify-chain';
export { EventNotifier } from './event-notifier';
export {
  OutboxRelay,
  toEnvelope,
  type OutboxRelayOptions,
  type RelayedEnvelope,
} from './outbox-relay';
export {
  ProjectionRunner,
  type Projection,
  type ProjectionRunnerOptions,
} from './projection-runner';
export {
  createEventStoreDataSource,
  runMigrations,
  EVENT_STORE_MIGRATIONS,
  type EventStoreDataSourceOptions,
} from './data-source';
export { aggregateOf } from './rows';
export { CHAIN_LOCK_KEY, EVENTS_CHANNEL } from './append-events';
export { searchEvents, type EventFilter } from './search-events';
