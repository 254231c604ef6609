export {
  type Alert,
  type PostableAlert,
  type PostProblem,
  checkPostedAlerts,
  validatePostable,
} from './alert';
export { parseAlertmanagerConfig, type AlertmanagerConfig, type IntegrationConfig } from './config';
export { InvalidAlertmanagerConfigError, type ConfigProblem } from './config-errors';
export { type AggregationGroup } from './dispatcher';
export { type Matcher, matches, parseMatchers } from './matchers';
export { type NotificationLog, type NotificationLogEntry, needsUpdate } from './nflog';
export { mapSecrets, maskSecrets } from './secrets';
export { sendIntegration } from './send';
export { type Silence, SilenceError, silenceState } from './silences';
export { checkTemplateFiles } from './template-funcs';
export { TemplateSet } from './template/render';
export {
  type AlertWithStatus,
  type NotificationAttempt,
  TenantAlertmanager,
} from './tenant-alertmanager';
export { splitLegacyConfig, type SplitConfig } from './legacy-config';
export { checkTenantConfig } from './tenant-config';
export { alertsOfWebhook, type WebhookInputProblem } from './webhook-input';
