import { randomBytes } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  BUS,
  KV,
  type Bus,
  type KvBucket,
  type KvChange,
  type KvProvider,
  type KvWatch,
} from '@strata/bus';
import { type HistoryEntry, KvBuckets } from '@strata/contracts';
import {
  type Alert,
  type AlertmanagerConfig,
  parseAlertmanagerConfig,
  type Silence,
  type NotificationAttempt,
  TenantAlertmanager,
  TemplateSet,
  sendIntegration,
} from '@strata/alertmanager';
import { KvNotificationLog } from './kv-notification-log';
import { NotificationMetrics } from './notification.metrics';
import { NOTIFICATION_OPTIONS, type NotificationOptions } from './notification.options';
import { type TenantConfig, TenantConfigsSource } from './tenant-configs.source';

/** What a tenant without a configuration gets (Mimir's fallback): alerts are kept, nothing is sent. */
export const FALLBACK_CONFIG = `route:
  receiver: empty-receiver
  group_by: [alertname]
receivers:
  - name: empty-receiver
`;

const HISTORY_KEY_SPAN = 10 ** 15;
/** How long accepted alerts wait to be written together. */
const SAVE_DELAY_MS = 20;

/**
 * Every tenant's Alertmanager in this process. Configurations come from the control plane and are
 * reloaded as their events are relayed; the runtime state is in JetStream KV: silences and the
 * notification log for good, alerts for a day, history for its retention.
 */
@Injectable()
export class Alertmanagers implements OnModuleInit, OnModuleDestroy {
  private state!: KvBucket;
  private alerts!: KvBucket;
  private history!: KvBucket;
  private readonly tenants = new Map<string, Promise<TenantAlertmanager>>();
  /** The control plane's version of each running tenant's configuration. */
  private readonly applied = new Map<string, number>();
  private readonly configs: TenantConfigsSource;
  private readonly watches: KvWatch[] = [];
  /** Alerts accepted but not yet in the bucket, newest version per key. */
  private readonly unsaved = new Map<string, Alert>();
  private saving: Promise<void> | null = null;
  private stopping = false;

  constructor(
    @Inject(KV) private readonly kv: KvProvider,
    @Inject(BUS) bus: Bus,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: NotificationOptions,
    private readonly metrics: NotificationMetrics,
  ) {
    this.configs = new TenantConfigsSource(bus);
  }

  async onModuleInit(): Promise<void> {
    this.state = await this.kv.openKv(KvBuckets.notificationState, { history: 1 });
    this.alerts = await this.kv.openKv(KvBuckets.notificationAlerts, {
      history: 1,
      ttlMs: 24 * 3_600_000,
    });
    this.history = await this.kv.openKv(KvBuckets.notificationHistory, {
      history: 1,
      ttlMs: this.options.historyRetentionMs,
    });
    this.configs.follow(
      (tenantId, config, version) => void this.reload(tenantId, config, version),
      () => void this.reloadAll(),
    );
    // Replicas share alerts and silences through the buckets (as Alertmanager's peers gossip), so
    // any replica can flush a group; claims in the notification log keep them from both sending.
    this.replicate(await this.alerts.watch({ key: 'alert.>', updatesOnly: true }), (tenant, c) =>
      tenant.fromPeer(c.json<Alert>()),
    );
    this.replicate(await this.state.watch({ key: 'silence.>', updatesOnly: true }), (tenant, c) => {
      const s = c.json<Silence>();
      const held = tenant.silences.get(s.id);
      if (held === undefined || held.updatedAt < s.updatedAt) tenant.silences.restore([s]);
    });
    // Tenants with alerts waiting come back at start, so their groups flush without a new post.
    const tenants = new Set((await this.alerts.keys('alert.>')).map((k) => k.split('.')[1]));
    // In the background: the control plane may not answer yet (it may start in this very process).
    void this.revive([...tenants]);
  }

  /**
   * Write-behind of accepted alerts: an alert is answered once it is in memory (as Alertmanager
   * answers), and reaches the bucket within a few milliseconds, the last version of each key
   * once, so a re-post of thousands of alerts costs one write per alert, not a round trip each.
   */
  private saveLater(key: string, alert: Alert): void {
    this.unsaved.set(key, alert);
    this.scheduleSave();
  }

  private scheduleSave(): void {
    this.saving ??= new Promise<void>((r) => setTimeout(r, SAVE_DELAY_MS))
      .then(() => this.flushAlerts())
      .finally(() => {
        this.saving = null;
        if (this.unsaved.size > 0) this.scheduleSave();
      });
  }

  private async flushAlerts(): Promise<void> {
    const batch = [...this.unsaved.entries()];
    this.unsaved.clear();
    await Promise.all(
      batch.map(([key, alert]) =>
        this.alerts.put(key, alert).catch(() => {
          // Kept for the next round unless a newer version came meanwhile.
          if (!this.unsaved.has(key)) this.unsaved.set(key, alert);
        }),
      ),
    );
  }

  private async revive(tenants: string[]): Promise<void> {
    let pending = tenants;
    for (let attempt = 0; pending.length > 0 && !this.stopping; attempt++) {
      const failed: string[] = [];
      await Promise.all(pending.map((t) => this.of(t).catch(() => failed.push(t))));
      pending = failed;
      if (pending.length > 0)
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 15_000)));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.saving;
    if (this.unsaved.size > 0) await this.flushAlerts();
    // A revival asleep between attempts sees this and gives up.
    this.stopping = true;
    await this.configs.stop();
    await Promise.all(this.watches.map((w) => w.stop()));
    const all = await Promise.all(this.tenants.values());
    await Promise.all(all.map((t) => t.stop()));
  }

  /** The tenant's Alertmanager, started from its stored configuration, silences and alerts. */
  of(tenantId: string): Promise<TenantAlertmanager> {
    let t = this.tenants.get(tenantId);
    if (t === undefined) {
      t = this.start(tenantId);
      this.tenants.set(tenantId, t);
      t.catch(() => this.tenants.delete(tenantId));
    }
    return t;
  }

  private replicate(
    watch: KvWatch,
    apply: (tenant: TenantAlertmanager, change: KvChange) => void,
  ): void {
    this.watches.push(watch);
    void (async () => {
      for await (const change of watch) {
        if (change.operation !== 'put') continue;
        const tenantId = change.key.split('.')[1];
        // A tenant not running here starts (it reads the buckets whole), so that any replica
        // can flush its groups when the one that took its alerts is gone.
        const am = await this.of(tenantId).catch(() => null);
        if (am !== null) apply(am, change);
      }
    })().catch(() => undefined);
  }

  /** Applies a configuration the control plane announced, unless a newer one is running. */
  private async reload(
    tenantId: string,
    config: TenantConfig | null,
    version: number,
  ): Promise<void> {
    const running = this.tenants.get(tenantId);
    // A tenant not running here loads the newest configuration when it starts.
    if (running === undefined) return;
    const am = await running.catch(() => null);
    if (am === null || (this.applied.get(tenantId) ?? 0) >= version) return;
    this.applied.set(tenantId, version);
    await am.applyConfig(
      parseAlertmanagerConfig(
        config?.alertmanagerConfig ?? FALLBACK_CONFIG,
        config?.notificationManager ?? '',
      ),
      new TemplateSet(config?.templateFiles ?? {}),
    );
  }

  /** After a gap in the feed, asks the control plane again for every running tenant. */
  private async reloadAll(): Promise<void> {
    for (const tenantId of this.tenants.keys()) {
      try {
        const config = await this.configs.get(tenantId);
        // A deletion moves the stream on too: it is applied whatever version it carries.
        if (config === null && this.applied.get(tenantId) !== 0) {
          this.applied.set(tenantId, 0);
          await (await this.of(tenantId)).applyConfig(parseAlertmanagerConfig(FALLBACK_CONFIG));
        } else if (config !== null) await this.reload(tenantId, config, config.version);
      } catch {
        // The control plane is away; the next gap or change tries again.
      }
    }
  }

  /** History entries of a tenant, newest first, from after `cursor`. */
  async historyKeys(tenantId: string): Promise<string[]> {
    return (await this.history.keys(`history.${tenantId}.>`)).sort();
  }

  /** One history entry. */
  async historyEntry(key: string): Promise<HistoryEntry | null> {
    const v = await this.history.get(key);
    return v === null ? null : v.json<HistoryEntry>();
  }

  private async start(tenantId: string): Promise<TenantAlertmanager> {
    const stored = await this.configs.get(tenantId);
    this.applied.set(tenantId, stored?.version ?? 0);
    const config: AlertmanagerConfig = parseAlertmanagerConfig(
      stored?.alertmanagerConfig ?? FALLBACK_CONFIG,
      stored?.notificationManager ?? '',
    );
    const am = new TenantAlertmanager(tenantId, config, {
      nflog: new KvNotificationLog(this.state, tenantId),
      send: sendIntegration,
      externalURL: this.options.externalUrl,
      saveSilence: async (s) => {
        await this.state.put(`silence.${tenantId}.${s.id}`, s);
      },
      saveAlert: (a) => {
        this.saveLater(`alert.${tenantId}.${a.fingerprint}`, a);
        return Promise.resolve();
      },
      onAttempt: (a) => {
        this.metrics.attempted(a);
        void this.record(a);
      },
      retryBaseMs: this.options.retryBaseMs,
    });
    if (stored) am.templates = new TemplateSet(stored.templateFiles);
    const silences = await this.state.keys(`silence.${tenantId}.>`);
    am.silences.restore(
      (
        await Promise.all(silences.map(async (k) => (await this.state.get(k))?.json<Silence>()))
      ).filter((s): s is Silence => s !== undefined),
    );
    const alertKeys = await this.alerts.keys(`alert.${tenantId}.>`);
    am.restore(
      (
        await Promise.all(alertKeys.map(async (k) => (await this.alerts.get(k))?.json<Alert>()))
      ).filter((a): a is Alert => a !== undefined),
    );
    return am;
  }

  private async record(a: NotificationAttempt): Promise<void> {
    const id = `${String(HISTORY_KEY_SPAN - a.at).padStart(15, '0')}-${randomBytes(4).toString('hex')}`;
    const entry: HistoryEntry = {
      id,
      tenantId: a.tenantId,
      receiver: a.receiver,
      integration: a.integration,
      groupKey: a.groupKey,
      status: a.status,
      alerts: a.alerts,
      ...(a.error !== undefined ? { error: a.error } : {}),
      attempts: a.attempts,
      durationMs: a.durationMs,
      at: new Date(a.at).toISOString(),
    };
    await this.history.put(`history.${a.tenantId}.${id}`, entry);
  }
}
