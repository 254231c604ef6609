import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { BUS, BusClient, type Bus, type Stoppable } from '@strata/bus';
import {
  type ControlQuery,
  type ControlQueryResults,
  DEFAULT_QUOTA,
  type EventRuleSetView,
  type QuotaSpec,
  type RelayedEvent,
  type RuleSet,
  Streams,
  Subjects,
} from '@strata/contracts';

type Entry = { version: number; set: RuleSet | null };
const RETRY_MS = 2_000;
const QUOTA_TTL_MS = 60_000;

/**
 * What the events service knows of the control plane: every tenant's stored rule sets (loaded at
 * start, then kept current by the control-plane events stream, so a change applies without a
 * restart) and tenants' quotas (fetched once, refreshed by `QuotaSet` events). After a gap in the
 * feed everything is loaded again; versions keep a slow load from undoing a newer event.
 */
@Injectable()
export class TenantDirectory {
  private readonly log = new Logger('EventsTenantDirectory');
  private readonly client: BusClient;
  private sets = new Map<string, Map<string, Entry>>();
  private readonly quotas = new Map<string, { quota: QuotaSpec; at: number }>();
  private readonly listeners: Array<(tenantId: string) => void> = [];
  private following: Stoppable | null = null;
  private stopped = false;
  private loading = false;
  private again = false;
  private touched = new Set<string>();
  private markLoaded: () => void = () => undefined;
  private readonly loaded = new Promise<void>((resolve) => (this.markLoaded = resolve));

  constructor(@Inject(BUS) private readonly bus: Bus) {
    this.client = new BusClient(bus);
  }

  /** Follows the control-plane events and loads every stored rule set (retrying until it can). */
  start(): void {
    this.following ??= this.bus.follow(
      Streams.controlEvents.name,
      (m) => this.apply(m.json<RelayedEvent>()),
      { onGap: () => this.reload() },
    );
    this.reload();
  }

  /** Stops following. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.following?.stop();
  }

  /** Calls `listener` with a tenant whenever its rule sets may have changed. */
  onRulesChanged(listener: (tenantId: string) => void): void {
    this.listeners.push(listener);
  }

  /** The tenant's own stored rule sets, once the first load is done. */
  async ruleSets(tenantId: string): Promise<RuleSet[]> {
    await this.loaded;
    return [...(this.sets.get(tenantId)?.values() ?? [])].flatMap((e) => (e.set ? [e.set] : []));
  }

  /** The tenant's quota; the defaults while the control plane cannot answer. */
  async quota(tenantId: string): Promise<QuotaSpec> {
    const cached = this.quotas.get(tenantId);
    if (cached && Date.now() - cached.at < QUOTA_TTL_MS) return cached.quota;
    try {
      const view = await this.ask({ type: 'GetQuota', tenantId });
      const quota = { ...DEFAULT_QUOTA, ...view.quota };
      this.quotas.set(tenantId, { quota, at: Date.now() });
      return quota;
    } catch (error) {
      this.log.warn(`no quota for ${tenantId} (${String(error)}); using the last or the defaults`);
      return cached?.quota ?? DEFAULT_QUOTA;
    }
  }

  // Other aggregates' events do not concern the events service.
  private apply(event: RelayedEvent): void {
    if (event.type === 'EventRuleSetConfigured' || event.type === 'EventRuleSetDeleted') {
      const data = event.data as { tenantId: string; name: string };
      const set =
        event.type === 'EventRuleSetConfigured'
          ? ({ ...(event.data as Omit<RuleSet, 'version'>), version: event.version } as RuleSet)
          : null;
      this.touched.add(`${data.tenantId}.${data.name}`);
      this.put(data.tenantId, data.name, { version: event.version, set });
    } else if (event.type === 'QuotaSet') {
      const data = event.data as { tenantId: string; quota: QuotaSpec };
      this.quotas.set(data.tenantId, {
        quota: { ...DEFAULT_QUOTA, ...data.quota },
        at: Date.now(),
      });
    } else if (event.type === 'TenantDeleted') {
      const tenantId = (event.data as { tenantId: string }).tenantId;
      this.quotas.delete(tenantId);
      if (this.sets.delete(tenantId)) this.changed(tenantId);
    }
  }

  private put(tenantId: string, name: string, entry: Entry): void {
    let tenant = this.sets.get(tenantId);
    if (!tenant) this.sets.set(tenantId, (tenant = new Map()));
    const current = tenant.get(name);
    if (current && current.version >= entry.version) return;
    tenant.set(name, entry);
    this.changed(tenantId);
  }

  private changed(tenantId: string): void {
    for (const listener of this.listeners) listener(tenantId);
  }

  private reload(): void {
    this.quotas.clear();
    if (this.loading) {
      this.again = true;
      return;
    }
    this.loading = true;
    void this.loadLoop();
  }

  private async loadLoop(): Promise<void> {
    do {
      this.again = false;
      this.touched = new Set();
      try {
        const loaded = await this.loadAll();
        this.replace(loaded);
        this.markLoaded();
      } catch (error) {
        if (this.stopped) break;
        this.log.warn(`cannot load rule sets yet, retrying: ${String(error)}`);
        this.again = true;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    } while (this.again && !this.stopped);
    this.loading = false;
  }

  private async loadAll(): Promise<Map<string, Map<string, Entry>>> {
    const sets = new Map<string, Map<string, Entry>>();
    let cursor: string | undefined;
    do {
      const page = await this.ask({ type: 'ListEventRuleSets', cursor, limit: 1000 });
      for (const view of page.items) {
        let tenant = sets.get(view.tenantId);
        if (!tenant) sets.set(view.tenantId, (tenant = new Map()));
        tenant.set(view.name, { version: view.version, set: ruleSetOf(view) });
      }
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return sets;
  }

  /** Takes a load's answer, keeping what events changed meanwhile when they are newer. */
  private replace(loaded: Map<string, Map<string, Entry>>): void {
    const previous = this.sets;
    for (const key of this.touched) {
      const dot = key.indexOf('.');
      const [tenantId, name] = [key.slice(0, dot), key.slice(dot + 1)];
      const live = previous.get(tenantId)?.get(name);
      const fresh = loaded.get(tenantId)?.get(name);
      if (live && (!fresh || live.version > fresh.version)) {
        let tenant = loaded.get(tenantId);
        if (!tenant) loaded.set(tenantId, (tenant = new Map()));
        tenant.set(name, live);
      }
    }
    this.sets = loaded;
    for (const tenantId of new Set([...previous.keys(), ...loaded.keys()])) this.changed(tenantId);
  }

  private ask<T extends 'GetQuota' | 'ListEventRuleSets'>(
    query: Extract<ControlQuery, { type: T }>,
  ): Promise<ControlQueryResults[T]> {
    // The reply's type follows the query's type, which the subject map cannot express.
    return this.client.ask(
      Subjects.controlQuery,
      { query: query as ControlQuery, requestId: `events-${randomUUID()}` },
      { timeoutMs: 5_000 },
    ) as Promise<ControlQueryResults[T]>;
  }
}

function ruleSetOf(view: EventRuleSetView): RuleSet {
  return {
    tenantId: view.tenantId,
    name: view.name,
    cluster: view.cluster,
    spec: view.spec,
    version: view.version,
  };
}
