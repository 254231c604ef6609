export { ControlPlaneService, type ControlPlaneServiceOptions } from './control-plane.service';
export { ControlPlaneCommandHandler } from './command-handler';
export { replayControlPlane } from './replay';
export { CONTROL_PLANE_MIGRATIONS } from './migrations';
export {
  controlPlaneProjection,
  CONTROL_PLANE_PROJECTION,
} from './projections/control-plane.projection';
export { tenantDecider, type TenantCommand, type TenantState } from './domain/tenant.decider';
export { quotaDecider, type QuotaCommand, type QuotaState } from './domain/quota.decider';
export { apiKeyDecider, type ApiKeyCommand, type ApiKeyState } from './domain/api-key.decider';
export { StreamIds } from './domain/streams';
export {
  eventRuleSetDecider,
  type EventRuleSetCommand,
  type EventRuleSetState,
} from './domain/event-rule-set.decider';
export { eventRuleSetsProjection } from './projections/event-rule-sets.projection';
export { openControlPlaneStore, type ControlPlaneStore } from './control-plane-store';
export { ControlPlaneModule, ControlPlaneLifecycle } from './control-plane.module';
export { ControlPlaneController } from './control-plane.controller';
export { ControlPlaneRuntime } from './control-plane.runtime';
export {
  CONTROL_PLANE_OPTIONS,
  type ControlPlaneBus,
  type ControlPlaneModuleOptions,
} from './control-plane.tokens';
export { controlPlaneService } from './control-plane.definition';
