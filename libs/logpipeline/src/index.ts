// Log pipelines without Nest or NATS: the spec's compilation and validation, the transforms, and
// running a batch of records through them. The control plane validates with it, logflow runs it.
export {
  compilePipeline,
  runPipeline,
  type CompiledPipeline,
  type PipelineOutput,
} from './compile';
export { PipelineValidationError, type PipelineProblem } from './problems';
export { LogMetricCounts, type LogMetricSample } from './log-metrics';
export { LogAlertCounts, type LogAlertRule, type LogAlertUpdate } from './log-alerts';
export { MULTILINE_PRESET_RULES, MULTILINE_START_STATE } from './transforms/multiline';
export { UNMATCHED_OUTPUT, flattenRecord } from './transforms/select';
export { parseLogfmt, rfc3339ToNs } from './transforms/parsers';
export { compilePath, getPath, getText, withPath, type CompiledPath } from './record-path';
export { syslogFields, type SyslogFields } from './transforms/syslog';
export {
  parseSyslogMessage,
  SYSLOG_FACILITIES,
  SYSLOG_SEVERITIES,
  type SyslogMessage,
} from './syslog/syslog-message';
export {
  HeldEvents,
  DEFAULT_HOLD_TIMEOUT_MS,
  type HeldEvent,
  type HeldEventsState,
} from './held-events';
