export { readLogBatches, type ReadLogBatchesOptions } from './read-log-batches';
export { encodeLokiPush, type LokiPushStream } from './loki-push-encoder';
