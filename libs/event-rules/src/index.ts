// The public surface of the event rules library: the event-rule-engine condition language, the
// flattening of Kubernetes events and audit events, and kube-events / kube-auditing rule sets.
export * from './errors';
export type { Condition, CompareOp, MatchOp } from './condition/ast';
export { tokenize, type Token, type TokenKind } from './condition/tokens';
export { parseCondition, likeToRegexp, stringValue } from './condition/parse';
export { evaluateCondition } from './condition/evaluate';
export {
  TypedSlice,
  goSprint,
  goFormatFloat,
  goParseFloat,
  goParseBool,
  type FlatValue,
  type FlatEvent,
} from './go-values';
export { flattenKubeEvent, flattenAuditEvent, coreEventFromEventsV1 } from './flatten';
export { formatPercentTemplate } from './templates';
export { expandReferences, resolveReference } from './rule-sets/references';
export {
  compileRuleSets,
  checkRuleSet,
  DEFAULT_THRESHOLDS,
  type RuleProblem,
  type CompiledRules,
  type CompiledEventsRule,
  type CompiledAuditRule,
  type CompiledAuditGroup,
  type OutputPart,
} from './rule-sets/compile';
export {
  evaluateKubeEvent,
  evaluateAuditEvent,
  kubeEventAlert,
  kubeEventNotification,
  renderOutput,
  type RuleAlert,
  type RuleFailure,
  type KubeEventDecision,
  type AuditDecision,
} from './rule-sets/evaluate';
export {
  parseKubeEventsBody,
  parseAuditEventList,
  BatchError,
  MAX_JSON_DEPTH,
  type IngestedKubeEvent,
} from './ingest/batches';
export {
  ParsedBatchHandover,
  parsedBatches,
  type ParsedBatch,
  type HandoverLimits,
} from './ingest/parsed-batches';
export {
  DEFAULT_RULE_SETS,
  DEFAULT_EVENTS_RULES,
  DEFAULT_AUDIT_ARCHIVING,
  DEFAULT_AUDIT_ALERTING,
} from './defaults/default-rule-sets';
export {
  effectiveRuleSets,
  isDefaultRuleSet,
  ruleSetsForCluster,
} from './defaults/tenant-rule-sets';
