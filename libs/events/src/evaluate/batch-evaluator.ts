import { Injectable, Logger } from '@nestjs/common';
import { type EventBatch, type EventPostableAlert, type EventRecordKind } from '@strata/contracts';
import {
  type CompiledAuditRule,
  evaluateAuditEvent,
  evaluateKubeEvent,
  flattenAuditEvent,
  flattenKubeEvent,
  type RuleAlert,
  type RuleFailure,
} from '@strata/event-rules';
import { AlertPublisher } from '../alerts/alert-publisher';
import { type ArchiveRow, auditEventRow, kubeEventRow } from '../archive/archive-rows';
import { EventArchive, type PreparedRows } from '../archive/event-archive';
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

  /**
   * Evaluates, archives, alerts and notifies; throws (for redelivery) when the archive or NATS
   * fails. `itemTexts` (audit) finds each item's JSON as received, archived instead of serialising
   * the item again when enough of the batch is archived to pay for the scan.
   */
  evaluate(
    batch: EventBatch,
    itemTexts?: () => readonly string[] | undefined,
  ): Promise<{ archived: number; alerts: number }> {
    // Not async itself: while Postgres and NATS are awaited only the decision is held, so the
    // parsed batch is garbage at once rather than surviving young-generation collections.
    return this.decide(batch, itemTexts).then((decided) => this.persist(decided));
  }

  /** The rules' decisions on a batch, its archive rows prepared: nothing of the parsed records. */
  private async decide(
    batch: EventBatch,
    itemTexts?: () => readonly string[] | undefined,
  ): Promise<Decided> {
    const { eventsRetentionSeconds } = await this.directory.quota(batch.tenantId);
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
      // Counted per batch: one labelled increment per rule instead of one per match.
      const matched = new Map<CompiledAuditRule, number>();
      const archivedItems: number[] = [];
      for (let i = 0; i < batch.items.length; i++) {
        const event = batch.items[i];
        const decision = evaluateAuditEvent(
          rules,
          flattenAuditEvent(event as JsonRecord, batch.cluster),
        );
        failures.push(...decision.failures);
        for (const rule of decision.matched) matched.set(rule, (matched.get(rule) ?? 0) + 1);
        // Most audit events are neither kept nor alerted on (reads): they need no row.
        if (!decision.archive && decision.alerts.length === 0) continue;
        const row = auditEventRow(batch.cluster, event, batch.receivedAt);
        if (decision.archive) {
          rows.push(row);
          archivedItems.push(i);
        }
        for (const { alert } of decision.alerts) alerts.push(postable(alert, row.time));
      }
      // Scanning the body for every item's text costs about a quarter of serialising one item.
      const texts = rows.length * 4 >= batch.items.length ? itemTexts?.() : undefined;
      if (texts) for (let k = 0; k < rows.length; k++) rows[k].eventText = texts[archivedItems[k]];
      for (const [rule, n] of matched)
        this.metrics.matched(batch.tenantId, kind, rule.ruleSet, rule.name, n);
    }
    for (const f of failures) this.metrics.failed(batch.tenantId, kind, f.ruleSet, f.rule);
    if (failures.length > 0)
      this.log.warn(
        `${failures.length} rule failures in batch ${batch.batchId} of ${batch.tenantId}, first: ${failures[0].ruleSet}/${failures[0].rule}: ${failures[0].message}`,
      );
    return {
      tenantId: batch.tenantId,
      batchId: batch.batchId,
      prepared: this.archive.prepare(kind, batch.tenantId, rows, eventsRetentionSeconds),
      alerts,
      notifications,
    };
  }

  private async persist(d: Decided): Promise<{ archived: number; alerts: number }> {
    const kind = d.prepared.kind;
    const archived = await this.archive.write(d.prepared);
    this.metrics.archived(d.tenantId, kind, archived);
    if (d.alerts.length > 0) {
      await this.alerts.publish({ tenantId: d.tenantId, alerts: d.alerts }, `${d.batchId}:alerts`);
      this.metrics.alerts(d.tenantId, kind, d.alerts.length - d.notifications);
      this.metrics.notifications(d.tenantId, d.notifications);
    }
    return { archived, alerts: d.alerts.length };
  }
}

/** What a batch's evaluation leaves to store and send. */
interface Decided {
  readonly tenantId: string;
  readonly batchId: string;
  readonly prepared: PreparedRows;
  readonly alerts: EventPostableAlert[];
  readonly notifications: number;
}

/** What the edge parsers produced: JSON objects, typed loosely by the contract's schema. */
type JsonRecord = Parameters<typeof flattenKubeEvent>[0];

function postable(alert: RuleAlert, at: Date): EventPostableAlert {
  return { labels: alert.labels, annotations: alert.annotations, startsAt: at.toISOString() };
}
