import { z } from 'zod';
import { TenantId } from '../control/ids';
import { type RuleGroupTarget } from '../control/rule-groups';

/** Payload on `Subjects.rulerStatus` and `Subjects.rulerReplicaStatus`: the rule groups of one tenant. */
export const RulerStatusRequest = z.object({ tenantId: TenantId }).strict();
export type RulerStatusRequest = z.infer<typeof RulerStatusRequest>;

/** An alert instance as Prometheus' `/api/v1/alerts` and `/api/v1/rules` show it. */
export interface PromAlertStatus {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  keepFiringSince?: string;
  /** The sample value, formatted as Go's `strconv.FormatFloat(v, 'e', -1, 64)`. */
  value: string;
}

/** What every rule of `/api/v1/rules` shows. */
interface PromRuleCommon {
  name: string;
  query: string;
  labels: Record<string, string>;
  health: 'unknown' | 'ok' | 'err';
  lastError?: string;
  /** Seconds. */
  evaluationTime: number;
  /** RFC 3339; Go's zero time before the first evaluation. */
  lastEvaluation: string;
}

/** An alerting rule of `/api/v1/rules`. */
export interface PromAlertingRuleStatus extends PromRuleCommon {
  type: 'alerting';
  state: 'inactive' | 'pending' | 'firing';
  /** Seconds. */
  duration: number;
  keepFiringFor: number;
  annotations: Record<string, string>;
  alerts: PromAlertStatus[];
}

/** A recording rule of `/api/v1/rules`. */
export interface PromRecordingRuleStatus extends PromRuleCommon {
  type: 'recording';
}

/** A group of `/api/v1/rules`, with where Strata keeps it. */
export interface PromRuleGroupStatus {
  name: string;
  /** The namespace (`_cluster`, `_global` for the other scopes), as Mimir shows it. */
  file: string;
  rules: Array<PromAlertingRuleStatus | PromRecordingRuleStatus>;
  /** Seconds. */
  interval: number;
  limit: number;
  evaluationTime: number;
  lastEvaluation: string;
  scope: RuleGroupTarget['scope'];
}

/** The reply on `Subjects.rulerStatus`: every group of the tenant the rulers evaluate, sorted by file and name. */
export interface RulerStatusReply {
  groups: PromRuleGroupStatus[];
}

/** One alert as Alertmanager's v2 API takes it (`POST /api/v2/alerts`). */
export const NotifiedAlert = z
  .object({
    labels: z.record(z.string(), z.string()),
    annotations: z.record(z.string(), z.string()),
    startsAt: z.string(),
    endsAt: z.string(),
    generatorURL: z.string(),
  })
  .strict();
export type NotifiedAlert = z.infer<typeof NotifiedAlert>;

/**
 * Published on `Subjects.rulerAlerts(tenant)` (stream `Streams.rulerAlerts`) each time the ruler
 * sends alerts of one rule to Alertmanager: the same alerts, for Strata's notification service.
 */
export const RulerAlertBatch = z
  .object({
    tenantId: TenantId,
    scope: z.enum(['namespace', 'cluster', 'global']),
    namespace: z.string(),
    group: z.string(),
    alerts: z.array(NotifiedAlert),
  })
  .strict();
export type RulerAlertBatch = z.infer<typeof RulerAlertBatch>;
