export { publishLogBatch, logBatch, logRecord } from './publish-log-batch';
export {
  SinkServer,
  type Behaviour,
  type ReceivedBulkItem,
  type ReceivedLokiEntry,
} from './sink-server';
