export type {
  Bus,
  RequestOptions,
  RequestMeta,
  RequestHandler,
  BinaryRequestOptions,
  BinaryRequestMeta,
  BinaryRequestHandler,
  StreamSpec,
  PublishAck,
  ConsumerSpec,
  ConsumedMessage,
  Stoppable,
  ReplyEnvelope,
  ConsumeOptions,
  FollowedMessage,
  FollowOptions,
} from './bus';
export { connectBus, reconnectDelay, type BusOptions, type BusTlsOptions } from './connect';
export { NatsBus } from './nats-bus';
export {
  type KvBucket,
  type KvBucketOptions,
  type KvValue,
  type KvChange,
  type KvWatch,
  type KvProvider,
} from './kv';
export { type BusLogger, consoleBusLogger } from './logger';
export { type BusObserver, type DeliveryOutcome } from './observer';
export { ChunkHeaders } from './chunking';
export { WireBytes, wireBytes } from './codec';
export { META_HEADER } from './request-reply/responder';
export {
  NoRespondersError,
  RequestTimeoutError,
  BusClosedError,
  BusAuthenticationError,
  PermissionDeniedError,
  InvalidReplyError,
  PublishFailedError,
  ProvisioningError,
  ChunkAssemblyError,
  ChunkingNotSupportedError,
  KvKeyExistsError,
  KvRevisionConflictError,
  DeliveryExhaustedError,
} from './errors';
export { BusModule, BUS, KV, InjectBus, type BusModuleAsyncOptions } from './nest/bus.module';
export { retryTransient, isTransientJetStreamError } from './transient-retry';
export * from './nest/transport';
