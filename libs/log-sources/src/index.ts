export { LogInputError, type LogInputReason } from './errors';
export { checkLine, decodeUtf8, lineBytes, nsFromMs, type LineRules } from './records';
export { decodeContentEncoding, expandSnappy } from './content-encoding';
export {
  storeLogBatches,
  serialiseParts,
  partId,
  type LogBatchDraft,
  type StoredLogBatches,
} from './batches';
export { LogLimiter, dailyQuotaRefusal, utcDay, type LogAdmission, type LogQuota } from './limits';
export { SharedDailyBytes } from './daily-bytes';
export { parseLokiJson, parseLokiProtobuf } from './loki/loki-push';
export { parseLabelString } from './loki/label-string';
export { parseBulk, type BulkAction, type BulkItem } from './elasticsearch/bulk';
export { parseOtlpJson, parseOtlpProtobuf, type OtlpLogsResult } from './otlp/otlp-logs';
export { encodeLogsResponse, encodeStatus } from './otlp/otlp-proto';
export { parseJsonLines } from './http/json-lines';
export { parseSyslog } from './syslog/syslog-parse';
export { SyslogDeframer, type SyslogFrame } from './syslog/framing';
export {
  SyslogListener,
  parseSyslogPorts,
  type SyslogListenerOptions,
  type SyslogListenerStats,
  type SyslogPortSpec,
  type SyslogStore,
  type SyslogStoreOutcome,
} from './syslog/syslog-listener';
