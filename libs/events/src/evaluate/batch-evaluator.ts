import { Injectable, Logger } from '@nestjs/common';
import { type EventBatch, type EventPostableAlert, type EventRecordKind } from '@strata/contracts';
import {
  evaluateAuditEvent,
  evaluateKubeEvent,
  flattenAuditEvent,
  flattenKubeEvent,
  type RuleAlert,
  type RuleFailure,
} from '@strata/event-rules';
import { AlertPublisher } from '../alerts/alert-publisher';
import { type ArchiveRow, auditEventRow, kubeEventRow } from '../archive/archive-rows';
import { EventArchive } from '../archive/event-archive';
import { TenantDirectory } from '../control/tenant-directory';
import { EventsMetrics } from '../events-metrics';
import { TenantRulesSource } from '../rules/tenant-rules.source';

/**
 * Evaluates one stored batch: archives what the rules keep (every Kubernetes event; audit events
 * by kube-auditing's archiving decision), then sends the alerts and kube-events notifications. Archiving is idempotent and
 * alerts are deduplicated by the batch's id, so a redelivered batch changes nothing.
 */
@Injectable()
export class BatchEvaluator {
  private readonly log = new Logger('EventsEvaluator');

  constructor(
    private readonly archive: EventArchive,
    private readonly rules: TenantRulesSource,
    private readonly alerts: AlertPublisher,
    private readonly metrics: EventsMetrics,
    private readonly directory: TenantDirectory,
  ) {}

  /** Evaluates, archives, alerts and notifies; throws (for redelivery) when the archive or NATS fails. */
  async evaluate(batch: EventBatch): Promise<{ archived: number; alerts: number }> {
    const rows: ArchiveRow[] = [];
    const alerts: EventPostableAlert[] = [];
    const failures: RuleFailure[] = [];
    let notifications = 0;
    const kind: EventRecordKind = batch.kind;
    if (batch.kind === 'events') {
      for (const { cluster, event } of batch.items) {
        const row = kubeEventRow(cluster, event, batch.receivedAt);
        rows.push(row);
        const decision = evaluateKubeEvent(
          await this.rules.rulesFor(batch.tenantId, cluster),
          flattenKubeEvent(event as JsonRecord),
          cluster,
        );
        failures.push(...decision.failures);
        if (decision.notification) {
          this.metrics.matched(
            batch.tenantId,
            kind,
            decision.notification.rule.ruleSet,
            decision.notification.rule.name,
          );
          // kube-events hands a notification rule's matches to its notification sinks; here they
          // travel with the alerts to the notification service and any configured Alertmanager.
          alerts.push(postable(decision.notification.alert, row.time));
          notifications++;
        }
        if (decision.alert) {
          this.metrics.matched(
            batch.tenantId,
            kind,
            decision.alert.rule.ruleSet,
            decision.alert.rule.name,
          );
          alerts.push(postable(decision.alert.alert, row.time));
        }
      }
    } else {
      const rules = await this.rules.rulesFor(batch.tenantId, batch.cluster);
      for (const event of batch.items) {
        const decision = evaluateAuditEvent(
          rules,
          flattenAuditEvent(event as JsonRecord, batch.cluster),
        );
        failures.push(...decision.failures);
        for (const rule of decision.matched)
          this.metrics.matched(batch.tenantId, kind, rule.ruleSet, rule.name);
        // Most audit events are neither kept nor alerted on (reads): they need no row.
        if (!decision.archive && decision.alerts.length === 0) continue;
        const row = auditEventRow(batch.cluster, event, batch.receivedAt);
        if (decision.archive) rows.push(row);
        for (const { alert } of decision.alerts) alerts.push(postable(alert, row.time));
      }
    }
    for (const f of failures) this.metrics.failed(batch.tenantId, kind, f.ruleSet, f.rule);
    if (failures.length > 0)
      this.log.warn(
        `${failures.length} rule failures in batch ${batch.batchId} of ${batch.tenantId}, first: ${failures[0].ruleSet}/${failures[0].rule}: ${failures[0].message}`,
      );
    const { eventsRetentionSeconds } = await this.directory.quota(batch.tenantId);
    const archived = await this.archive.insert(kind, batch.tenantId, rows, eventsRetentionSeconds);
    this.metrics.archived(batch.tenantId, kind, archived);
    if (alerts.length > 0) {
      await this.alerts.publish({ tenantId: batch.tenantId, alerts }, `${batch.batchId}:alerts`);
      this.metrics.alerts(batch.tenantId, kind, alerts.length - notifications);
      this.metrics.notifications(batch.tenantId, notifications);
    }
    return { archived, alerts: alerts.length };
  }
}

/** What the edge parsers produced: JSON objects, typed loosely by the contract's schema. */
type JsonRecord = Parameters<typeof flattenKubeEvent>[0];

function postable(alert: RuleAlert, at: Date): EventPostableAlert {
  return { labels: alert.labels, annotations: alert.annotations, startsAt: at.toISOString() };
}
