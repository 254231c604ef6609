import {
  type Alert,
  type PostableAlert,
  acceptAlert,
  mergeAlerts,
  overlaps,
  resolvedAt,
} from './alert';
import { type AlertmanagerConfig, type IntegrationConfig } from './config';
import { type AggregationGroup, Dispatcher } from './dispatcher';
import { inhibitedBy } from './inhibitor';
import { type NotifyContext, NotifyError, type Sender } from './integrations';
import { type NotificationLog, needsUpdate } from './nflog';
import { matchRoutes } from './route';
import { nmSilencedBy } from './nm-silences';
import { type Silence, SilenceSet } from './silences';
import { TemplateSet } from './template/render';
import { intervalsContain } from './time-intervals';

/** One delivery attempt's outcome, as the history keeps it. */
export interface NotificationAttempt {
  readonly tenantId: string;
  readonly receiver: string;
  readonly integration: IntegrationConfig['kind'];
  readonly groupKey: string;
  readonly status: 'sent' | 'failed';
  readonly alerts: readonly {
    fingerprint: string;
    status: 'firing' | 'resolved';
    labels: Record<string, string>;
  }[];
  readonly error?: string;
  readonly attempts: number;
  readonly durationMs: number;
  readonly at: number;
}

/** What a tenant's Alertmanager needs from its host. */
export interface TenantDeps {
  readonly nflog: NotificationLog;
  /**
   * Whether this replica sends the tenant's notifications now (it holds the tenant's delivery
   * lease); always when omitted. Asked before every notification, so it must answer at once.
   */
  readonly sendsHere?: () => boolean;
  /** Delivers one notification through one integration. */
  readonly send: Sender;
  readonly externalURL: string;
  readonly now?: () => number;
  /** Persists a silence change (silences survive restarts and are shared by replicas). */
  readonly saveSilence?: (s: Silence) => Promise<void>;
  readonly onAttempt?: (a: NotificationAttempt) => void;
  /** First retry delay; doubles per attempt (Alertmanager's backoff starts near 1 s too). */
  readonly retryBaseMs?: number;
  /**
   * Where the tenant keeps its alerts by fingerprint (a new map when omitted): the host's store
   * of them, so that a post writes each merged alert into one map, not into two alike.
   */
  readonly alerts?: Map<string, Alert>;
}

/** An alert as API v2 lists it: with its receivers and why it is suppressed. */
export interface AlertWithStatus {
  readonly alert: Alert;
  readonly receivers: string[];
  readonly silencedBy: string[];
  readonly inhibitedBy: string[];
}

/** Go's notify timeout: the group interval, at least 10 s. */
const MIN_TIMEOUT_MS = 10_000;

/**
 * One tenant's Alertmanager: alerts merged by fingerprint, dispatched into groups, muted by
 * inhibition and silences, deduplicated against the notification log, delivered with retries.
 */
export class TenantAlertmanager {
  readonly silences: SilenceSet;
  private readonly alerts: Map<string, Alert>;
  private dispatcher: Dispatcher;
  private readonly now: () => number;
  /** The tenant's templates; replaced with its configuration. */
  templates = new TemplateSet();

  constructor(
    readonly tenantId: string,
    private config: AlertmanagerConfig,
    private readonly deps: TenantDeps,
  ) {
    this.now = deps.now ?? Date.now;
    this.alerts = deps.alerts ?? new Map();
    this.silences = new SilenceSet(this.now, deps.saveSilence);
    this.dispatcher = new Dispatcher(config, (g, a) => this.notify(g, a), this.now);
  }

  get currentConfig(): AlertmanagerConfig {
    return this.config;
  }

  /** Replaces the configuration: groups start again from the alerts held, as a reload does. */
  async applyConfig(config: AlertmanagerConfig, templates = new TemplateSet()): Promise<void> {
    await this.dispatcher.stop();
    this.config = config;
    this.templates = templates;
    this.dispatcher = new Dispatcher(config, (g, a) => this.notify(g, a), this.now);
    for (const a of this.alerts.values()) if (!resolvedAt(a, this.now())) this.dispatcher.insert(a);
  }

  /**
   * Accepts posted alerts (`POST /api/v2/alerts`) received at `receivedAt`, so that replicas
   * folding the same posts in the same order hold the same alerts; returns them as merged.
   */
  post(posted: readonly PostableAlert[], receivedAt = this.now()): Alert[] {
    // Merged one by one: a batch may repeat a fingerprint.
    const merged = posted.map((p) =>
      this.merge(acceptAlert(p, receivedAt, this.config.resolveTimeoutMs), receivedAt),
    );
    for (const a of merged) this.dispatcher.insert(a);
    return merged;
  }

  private merge(incoming: Alert, now: number): Alert {
    const old = this.alerts.get(incoming.fingerprint);
    // A replay may bring a post older than what a snapshot already holds: it changes nothing.
    if (old !== undefined && old.updatedAt > incoming.updatedAt && !overlaps(incoming, old))
      return old;
    const alert =
      old !== undefined && overlaps(incoming, old) ? mergeAlerts(old, incoming, now) : incoming;
    this.alerts.set(alert.fingerprint, alert);
    return alert;
  }

  /** Puts alerts back after a restart without persisting them again. */
  restore(alerts: readonly Alert[]): void {
    for (const a of alerts) {
      this.alerts.set(a.fingerprint, a);
      this.dispatcher.insert(a);
    }
  }

  /** Alerts not yet resolved, with their receivers and suppression. */
  list(): AlertWithStatus[] {
    const now = this.now();
    const out: AlertWithStatus[] = [];
    for (const a of this.alerts.values()) {
      if (resolvedAt(a, now)) continue;
      out.push({
        alert: a,
        receivers: [
          ...new Set(matchRoutes(this.dispatcher.root, a.labels).map((r) => r.config.receiver)),
        ],
        silencedBy: this.silences.silencedBy(a.labels),
        inhibitedBy: inhibitedBy(this.config.inhibitRules, this.alerts.values(), a.labels, now),
      });
    }
    return out;
  }

  /** The aggregation groups with their alerts. */
  groups(): AggregationGroup[] {
    return this.dispatcher.list();
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
  }

  /**
   * Resolves once the flushes started so far have ended, their notifications sent and logged: a
   * replica giving the tenant's delivery lease back waits for this, so the next holder's read of
   * the log finds them.
   */
  flushed(): Promise<void> {
    return this.dispatcher.flushed();
  }

  /**
   * Flushes now every group that flushed before: a replica that just took over the tenant's
   * delivery sends what the previous sender left due, without waiting for `group_interval`.
   */
  flushAgain(): void {
    this.dispatcher.flushAgain();
  }

  private async notify(group: AggregationGroup, alerts: Alert[]): Promise<boolean> {
    // Another replica sends this tenant's notifications, and logs them. Not done here: the group
    // keeps its resolved alerts, so that this replica, should it take over, still has them to
    // notify if the sender died before it did.
    if (this.deps.sendsHere !== undefined && !this.deps.sendsHere()) return false;
    const now = this.now();
    const name = group.route.config.receiver;
    const kept = alerts.filter(
      (a) =>
        inhibitedBy(this.config.inhibitRules, this.alerts.values(), a.labels, now).length === 0 &&
        this.silences.silencedBy(a.labels).length === 0 &&
        nmSilencedBy(this.config.nmSilences, name, a.labels, now).length === 0,
    );
    if (kept.length === 0 || this.timeMuted(group, now)) return true;
    const receiver = this.config.receivers.find((r) => r.name === name);
    if (receiver === undefined) return true;
    const results = await Promise.all(
      receiver.integrations.map((integration, i) =>
        this.deliver(group, kept, integration, `${name}/${integration.kind}/${i}`),
      ),
    );
    return results.every(Boolean);
  }

  /** Alertmanager's time stages: outside every active interval, or inside a mute interval, nothing is sent. */
  private timeMuted(group: AggregationGroup, now: number): boolean {
    const { activeTimeIntervals, muteTimeIntervals } = group.route.config;
    const of = (names: readonly string[]) =>
      names.flatMap((n) => this.config.timeIntervals.get(n) ?? []);
    if (activeTimeIntervals.length > 0 && !intervalsContain(of(activeTimeIntervals), now))
      return true;
    return muteTimeIntervals.length > 0 && intervalsContain(of(muteTimeIntervals), now);
  }

  private async deliver(
    group: AggregationGroup,
    alerts: Alert[],
    integration: IntegrationConfig,
    receiverKey: string,
  ): Promise<boolean> {
    const now = this.now();
    const firing = alerts.filter((a) => !resolvedAt(a, now));
    const firingSet = new Set(firing.map((a) => a.fingerprint));
    const resolvedSet = new Set(alerts.filter((a) => resolvedAt(a, now)).map((a) => a.fingerprint));
    const cfg = group.route.config;
    const entry = await this.deps.nflog.get(group.key, receiverKey);
    if (
      !needsUpdate(
        entry,
        firingSet,
        resolvedSet,
        integration.sendResolved,
        cfg.repeatIntervalMs,
        now,
      )
    )
      return true;
    const log = (): Promise<void> =>
      this.deps.nflog.put(group.key, receiverKey, {
        firing: [...firingSet],
        resolved: [...resolvedSet],
        timestamp: now,
      });
    if (!integration.sendResolved && firing.length === 0) {
      await log();
      return true;
    }
    const sent = integration.sendResolved ? alerts : firing;
    const deadline = now + Math.max(cfg.groupIntervalMs, MIN_TIMEOUT_MS);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), deadline - now);
    const ctx: NotifyContext = {
      tenantId: this.tenantId,
      receiver: group.route.config.receiver,
      groupKey: group.key,
      groupLabels: group.labels,
      externalURL: this.deps.externalURL,
      now,
      signal: controller.signal,
      templates: this.templates,
    };
    let attempts = 0;
    let error: string | undefined;
    let delay = this.deps.retryBaseMs ?? 1000;
    try {
      for (;;) {
        attempts++;
        try {
          await this.deps.send(integration, sent, ctx);
          error = undefined;
          break;
        } catch (e) {
          error = (e as Error).message;
          const retry = e instanceof NotifyError ? e.retry : true;
          if (!retry || this.now() + delay >= deadline) break;
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 60_000);
        }
      }
    } finally {
      clearTimeout(timer);
    }
    this.deps.onAttempt?.({
      tenantId: this.tenantId,
      receiver: ctx.receiver,
      integration: integration.kind,
      groupKey: group.key,
      status: error === undefined ? 'sent' : 'failed',
      alerts: sent.map((a) => ({
        fingerprint: a.fingerprint,
        status: resolvedAt(a, now) ? 'resolved' : 'firing',
        labels: a.labels,
      })),
      error,
      attempts,
      durationMs: this.now() - now,
      at: now,
    });
    if (error !== undefined) return false;
    await log();
    return true;
  }
}
