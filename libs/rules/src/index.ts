// The public surface of the rules library: rule files, Prometheus' template functions over the
// engine of `@strata/gotemplate` (re-exported for existing callers), and rule group evaluation. Everything else is internal.
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

export {
  parseTemplate,
  type ParsedTemplate,
  executeTemplate,
  type ExecOptions,
  type MissingKey,
  BUILTINS,
  GoCallError,
  type GoFunc,
  type FuncMap,
  type ParamType,
  GoMap,
  GoSlice,
  GoStruct,
  GoObject,
  type GoValue,
  TemplateParseError,
  TemplateExecError,
} from '@strata/gotemplate';
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
export { printedQuery } from './query/printed-query';

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
