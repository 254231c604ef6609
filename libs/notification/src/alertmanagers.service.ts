import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import {
  BUS,
  KV,
  type Bus,
  type KvBucket,
  type KvChange,
  type KvProvider,
  type KvWatch,
  type Stoppable,
} from '@strata/bus';
import {
  type HistoryEntry,
  KvBuckets,
  alertBatchesOf,
  type NotificationAlertBatch,
  NotificationStreams,
  notificationAlertBatchSubject,
} from '@strata/contracts';
import {
  type AlertmanagerConfig,
  type PostableAlert,
  parseAlertmanagerConfig,
  type Silence,
  type NotificationAttempt,
  TenantAlertmanager,
  TemplateSet,
  sendIntegration,
} from '@strata/alertmanager';
import { AlertStore } from './alert-store';
import { HistoryLog } from './history-log';
import { DeliveryLeases } from './delivery-leases';
import { KvNotificationLog, NotificationLogWriter } from './kv-notification-log';
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

/**
 * This process: in the ids of the batches it publishes (the stream drops a retried one), and as the
 * owner of its delivery leases.
 */
const PUBLISHER = randomUUID();

/**
 * Every tenant's Alertmanager in this process. Configurations come from the control plane and are
 * reloaded as their events are relayed. Accepted alerts are stored in a stream before a post is
 * answered; every replica folds that stream into memory and snapshots it to KV. The rest of the
 * runtime state is in JetStream KV: silences and the notification log for good, history for its
 * retention. One replica at a time sends each tenant's notifications: the holder of its delivery
 * lease, the leases shared out over the replicas.
 */
@Injectable()
export class Alertmanagers implements OnModuleInit, OnModuleDestroy {
  private state!: KvBucket;
  private alerts!: KvBucket;
  private history!: HistoryLog;
  private readonly tenants = new Map<string, Promise<TenantAlertmanager>>();
  /** The control plane's version of each running tenant's configuration. */
  private readonly applied = new Map<string, number>();
  private readonly configs: TenantConfigsSource;
  private readonly watches: KvWatch[] = [];
  private store!: AlertStore;
  private nflog!: NotificationLogWriter;
  /** Each running tenant's notification log, read again when its lease is taken. */
  private readonly logs = new Map<string, KvNotificationLog>();
  private leases!: DeliveryLeases;
  private follower: Stoppable | null = null;
  private snapshots: NodeJS.Timeout | null = null;
  private snapshotting: Promise<void> = Promise.resolve();
  /** The last stream sequence received. */
  private folded = 0;
  /** Sequences received but not yet applied (their tenant is starting). */
  private readonly unapplied = new Set<number>();
  /** Each tenant's batches apply one after another, in stream order. */
  private readonly chains = new Map<string, Promise<void>>();
  /** Reads waiting for a sequence to be received. */
  private waiters: { seq: number; resolve: () => void }[] = [];
  private published = 0;
  private stopping = false;

  constructor(
    @Inject(KV) private readonly kv: KvProvider,
    @Inject(BUS) private readonly bus: Bus,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: NotificationOptions,
    private readonly metrics: NotificationMetrics,
  ) {
    this.configs = new TenantConfigsSource(bus, options.secretKeyring ?? null);
  }

  async onModuleInit(): Promise<void> {
    this.state = await this.kv.openKv(KvBuckets.notificationState, { history: 1 });
    const retentionMs = this.options.notificationLogRetentionMs;
    this.nflog = new NotificationLogWriter(
      await this.kv.openKv(KvBuckets.notificationLog, { history: 1, ttlMs: retentionMs }),
      this.state,
      retentionMs,
    );
    const leaseMs = this.options.deliveryLeaseMs;
    this.leases = new DeliveryLeases(
      this.state,
      PUBLISHER,
      { ttlMs: leaseMs, renewEveryMs: Math.floor(leaseMs / 3) },
      {
        acquired: (tenantId) => this.tookOver(tenantId),
        releasing: async (tenantId) => {
          await (await this.tenants.get(tenantId))?.flushed();
        },
      },
    );
    await this.leases.start();
    this.alerts = await this.kv.openKv(KvBuckets.notificationAlerts, {
      history: 1,
      ttlMs: 24 * 3_600_000,
    });
    this.history = new HistoryLog(
      await this.kv.openKv(KvBuckets.notificationHistory, {
        history: 1,
        ttlMs: this.options.historyRetentionMs,
      }),
    );
    this.configs.follow(
      (tenantId, config, version) => void this.reload(tenantId, config, version),
      () => void this.reloadAll(),
    );
    await this.followAlerts();
    // Replicas share silences through the bucket and alerts through the stream (as Alertmanager's
    // peers gossip), so any replica can flush a group; the delivery lease of each tenant lets
    // only one of them send.
    this.replicate(await this.state.watch({ key: 'silence.>', updatesOnly: true }), (tenant, c) => {
      const s = c.json<Silence>();
      const held = tenant.silences.get(s.id);
      if (held === undefined || held.updatedAt < s.updatedAt) tenant.silences.restore([s]);
    });
    // Tenants with alerts waiting come back at start, so their groups flush without a new post.
    // In the background: the control plane may not answer yet (it may start in this very process).
    void this.revive(this.store.tenantIds());
  }

  /**
   * Loads the last snapshot and follows the stream of accepted alerts after it: the replay brings
   * back what was accepted since, then every post keeps coming, on every replica.
   */
  private async followAlerts(): Promise<void> {
    const stream = NotificationStreams.alertBatches;
    await this.bus.ensureStream({ ...stream, subjects: [...stream.subjects] });
    this.store = new AlertStore(this.alerts);
    this.folded = await this.store.load();
    this.follower = this.bus.follow(stream.name, (m) => this.fold(m.seq, m), {
      from: () => this.folded + 1,
      onGap: () => undefined,
    });
    this.snapshots = setInterval(() => {
      // Complete up to the sequence before the first one still waiting for its tenant.
      const seq = this.unapplied.size > 0 ? Math.min(...this.unapplied) - 1 : this.folded;
      this.snapshotting = this.snapshotting
        .then(() => this.store.snapshot(Date.now(), seq))
        .catch(() => undefined);
    }, this.options.alertSnapshotEveryMs);
    this.snapshots.unref();
  }

  /** One batch from the stream, in order: accepted and merged by its tenant, then kept in the store. */
  private fold(seq: number, m: { json<T>(): T }): void {
    if (seq <= this.folded) return;
    this.folded = seq;
    const batch = m.json<NotificationAlertBatch>();
    const tenantId = batch.tenantId;
    this.unapplied.add(seq);
    // A tenant not running here starts (from the store), so that any replica can flush its
    // groups when the one that took its alerts is gone.
    const applied = (this.chains.get(tenantId) ?? Promise.resolve())
      .then(() => this.running(tenantId))
      .then((am) => {
        // The tenant keeps its alerts in the store's map: what it merged is held there already.
        if (am !== null) this.store.marked(tenantId, am.post(batch.alerts, batch.receivedAt));
      })
      .catch(() => undefined)
      .finally(() => this.unapplied.delete(seq));
    this.chains.set(tenantId, applied);
    if (this.waiters.length > 0) {
      const ready = this.waiters.filter((w) => w.seq <= seq);
      this.waiters = this.waiters.filter((w) => w.seq > seq);
      for (const w of ready) w.resolve();
    }
  }

  /** The tenant's Alertmanager, started however long the control plane takes; null when stopping. */
  private async running(tenantId: string): Promise<TenantAlertmanager | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.of(tenantId);
      } catch {
        if (this.stopping) return null;
        await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** attempt, 15_000)));
      }
    }
  }

  /**
   * Waits until every post the tenant got before now is applied here (at most `maxMs`), so a read
   * after a post sees it, as Alertmanager's does.
   */
  async caughtUp(tenantId: string, maxMs = 10_000): Promise<void> {
    const stream = NotificationStreams.alertBatches;
    const seq = await this.bus.lastSequence(stream.name, notificationAlertBatchSubject(tenantId));
    if (seq > this.folded) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push({ seq, resolve })),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs))),
      ]);
      clearTimeout(timer);
    }
    await this.chains.get(tenantId);
  }

  /** Stores alerts from the service's own inputs (the ruler's, events', logs') like a post. */
  async storePosted(tenantId: string, alerts: readonly PostableAlert[]): Promise<void> {
    const parts = alertBatchesOf(tenantId, Date.now(), alerts).map((batch) =>
      this.bus.publish(notificationAlertBatchSubject(tenantId), batch, {
        msgId: `${PUBLISHER}-${++this.published}`,
      }),
    );
    await Promise.all(parts);
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
    // A revival asleep between attempts sees this and gives up.
    this.stopping = true;
    if (this.snapshots) clearInterval(this.snapshots);
    await this.follower?.stop();
    await Promise.all(this.chains.values());
    await this.snapshotting;
    await this.store?.snapshot(Date.now(), this.folded).catch(() => undefined);
    await this.configs.stop();
    await Promise.all(this.watches.map((w) => w.stop()));
    const all = await Promise.all(this.tenants.values());
    await Promise.all(all.map((t) => t.stop()));
    // After the last flush logged what it sent: the replica taking over reads it.
    await this.leases?.stop();
    await this.history?.flushed();
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
    if (running === undefined) {
      // A configured tenant starts now (it loads the newest configuration), as Mimir runs an
      // Alertmanager per configured tenant: its first alerts then do not wait for it to start.
      if (config !== null && !this.stopping) void this.of(tenantId).catch(() => undefined);
      return;
    }
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

  /** A tenant's delivery history, newest first. */
  historyOf(tenantId: string): AsyncGenerator<HistoryEntry> {
    return this.history.entries(tenantId);
  }

  private async start(tenantId: string): Promise<TenantAlertmanager> {
    const stored = await this.configs.get(tenantId);
    this.applied.set(tenantId, stored?.version ?? 0);
    const config: AlertmanagerConfig = parseAlertmanagerConfig(
      stored?.alertmanagerConfig ?? FALLBACK_CONFIG,
      stored?.notificationManager ?? '',
    );
    const nflog = new KvNotificationLog(this.nflog, tenantId);
    this.logs.set(tenantId, nflog);
    const am = new TenantAlertmanager(tenantId, config, {
      nflog,
      sendsHere: () => this.leases.holds(tenantId),
      send: sendIntegration,
      externalURL: this.options.externalUrl,
      saveSilence: async (s) => {
        await this.state.put(`silence.${tenantId}.${s.id}`, s);
      },
      onAttempt: (a) => {
        this.metrics.attempted(a);
        this.record(a);
      },
      retryBaseMs: this.options.retryBaseMs,
      alerts: this.store.heldBy(tenantId),
    });
    if (stored) am.templates = new TemplateSet(stored.templateFiles);
    const silences = await this.state.keys(`silence.${tenantId}.>`);
    am.silences.restore(
      (
        await Promise.all(silences.map(async (k) => (await this.state.get(k))?.json<Silence>()))
      ).filter((s): s is Silence => s !== undefined),
    );
    am.restore(this.store.alertsOf(tenantId));
    void this.leases.want(tenantId);
    return am;
  }

  /**
   * The tenant's lease was just taken: its log is read again (the previous holder wrote it), then
   * the groups that flushed while another replica sent flush again, so what it left due goes out.
   */
  private async tookOver(tenantId: string): Promise<void> {
    await this.logs.get(tenantId)?.load();
    // After `holds` answers true, which is when this returns.
    setImmediate(() => {
      void this.tenants
        .get(tenantId)
        ?.then((am) => am.flushAgain())
        .catch(() => undefined);
    });
  }

  private record(a: NotificationAttempt): void {
    this.history.record({
      id: this.history.nextId(a.at),
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
    });
  }
}
