// The public surface of the rules library: rule files, the Go template engine with Prometheus'
// functions, and rule group evaluation. Everything else is internal.
export * from './errors';

export {
  recordingRuleSchema,
  alertingRuleSchema,
  ruleSchema,
  ruleGroupSchema,
  type RecordingRule,
  type AlertingRule,
  type Rule,
  type RuleGroup,
  type RuleFileProblem,
} from './rule-file/model';
export {
  parseRuleFile,
  DEFAULT_MAX_RULES_PER_GROUP,
  type ParseRuleFileOptions,
  type ParsedRuleFile,
} from './rule-file/parse';
export { parseRuleGroupSpec, type ParsedRuleGroup } from './rule-file/group-spec';
export { checkRuleFile, duplicateRulesLint, type CheckReport } from './rule-file/check';
export { isValidLabelName, isValidMetricName, type NameValidation } from './rule-file/names';

export { parseTemplate, type ParsedTemplate } from './template/parser';
export { executeTemplate, type ExecOptions, type MissingKey } from './template/exec';
export { BUILTINS } from './template/builtins';
export { GoCallError, type GoFunc, type FuncMap, type ParamType } from './template/funcs';
export { GoMap, GoSlice, GoStruct, GoObject, type GoValue } from './template/values';
export {
  prometheusFuncs,
  type TemplateContext,
  type TemplateSample,
} from './template/prometheus-funcs';
export {
  expandTemplate,
  expandAlertTemplate,
  alertTemplateParseError,
  alertTemplateData,
  ALERT_TEMPLATE_DEFS,
  type AlertTemplateData,
} from './template/expander';

export { engineQueryFunc, type QueryFunc, type RuleSample } from './query/query-func';

export {
  type Alert,
  type AlertState,
  needsSending,
  RESOLVED_RETENTION_MS,
} from './alerting/alert-state';
export {
  AlertingRuleEvaluator,
  ALERTS_METRIC,
  ALERTS_FOR_STATE_METRIC,
  type AlertingRuleOptions,
} from './alerting/alerting-rule';
export { restoreForState, DEFAULT_RESTORE_OPTIONS, type RestoreOptions } from './alerting/restore';
export { toNotifierAlert, type NotifierAlert } from './alerting/notifier-alert';
export { RecordingRuleEvaluator } from './recording/recording-rule';

export {
  GroupEvaluator,
  type GroupEvaluatorOptions,
  type RuleEvaluator,
  type NotifyFunc,
} from './group/group-evaluator';
export { type OutputSample, type SampleSink } from './group/sink';
export { type RuleHealth, type RuleStatus } from './group/rule-status';
export {
  groupHash,
  evalTimestampNs,
  nsToMs,
  GroupSchedule,
  type LabelsLayout,
} from './group/eval-timestamp';
