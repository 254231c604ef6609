import { type Alert, compareAlerts, resolvedAt } from './alert';
import { type AlertmanagerConfig } from './config';
import { fingerprint, labelSetString } from './labels';
import { type Route, buildRoutes, groupLabels, matchRoutes } from './route';

/** One aggregation group: the alerts of one route with the same group labels, flushed on its timers. */
export interface AggregationGroup {
  readonly key: string;
  readonly route: Route;
  readonly labels: Readonly<Record<string, string>>;
  readonly alerts: Map<string, Alert>;
  hasFlushed: boolean;
  /** When its timer fires next (ms since the epoch), null when none is set. */
  dueAt: number | null;
  /** Flushes run one after another, as Go's group loop does. */
  running: Promise<void>;
}

/** One group an alert goes to. */
interface Placement {
  readonly route: Route;
  readonly labels: Record<string, string>;
  readonly id: string;
}

/** Flushes a group's alerts; resolves `true` when every integration succeeded. */
export type FlushFunc = (group: AggregationGroup, alerts: Alert[]) => Promise<boolean>;

/**
 * Due groups whose flushes start in one turn of the event loop (their log writes leave in one
 * socket write), however many timers fired: the first requests are not kept waiting behind the
 * preparation of every other due group.
 */
const FLUSH_CHUNK = 64;

/** Empty groups go away on this beat, as Alertmanager's dispatcher maintenance does. */
const MAINTENANCE_MS = 30_000;

/**
 * How long a group keeps a resolved alert it could not notify (delivery failing, or another
 * replica sending the tenant's notifications): as long as the service keeps alerts at all.
 */
const UNSENT_RESOLVED_KEPT_MS = 24 * 3_600_000;

/**
 * Alertmanager's dispatcher for one tenant: routes each alert to its aggregation groups, waits
 * `group_wait` before a group's first flush and `group_interval` between flushes, and drops
 * resolved alerts once they were notified unchanged.
 */
export class Dispatcher {
  readonly root: Route;
  private readonly groups = new Map<string, AggregationGroup>();
  /**
   * Where each alert held goes, by fingerprint: routing depends on the labels only, and clients
   * re-send the same alerts every evaluation, so a re-sent alert is not routed again.
   */
  private readonly placements = new Map<string, readonly Placement[]>();
  /**
   * The placements of alerts routed to one group alone, by group id: the alerts of a group share
   * one list instead of holding a copy each (held for as long as the alert, a copy per alert was
   * a quarter of what a tenant's alerts keep in memory, and all of it outlived the young
   * generation).
   */
  private readonly shared = new Map<string, readonly Placement[]>();
  private readonly maintenance: NodeJS.Timeout;
  private stopped = false;
  /**
   * Groups whose timer fired and whose flush has not started yet, in the order they came due
   * (kept from collection); one queue for all timers, drained a chunk per turn of the loop.
   */
  private readonly waiting = new Set<AggregationGroup>();
  /** Flushes that may still start in this turn of the loop, shared by every timer firing in it. */
  private turnBudget = FLUSH_CHUNK;
  private nextTurnScheduled = false;
  /**
   * Group timers by the millisecond they fire: groups due together (those one post created, or
   * flushed together before) share one timer and start their flushes in chunks of
   * `FLUSH_CHUNK`, so the notification-log writes of a chunk leave in one socket write, not one
   * per group.
   */
  private readonly slots = new Map<
    number,
    { readonly timer: NodeJS.Timeout; readonly groups: Set<AggregationGroup> }
  >();

  constructor(
    config: AlertmanagerConfig,
    private readonly flush: FlushFunc,
    private readonly now: () => number = Date.now,
  ) {
    this.root = buildRoutes(config.route);
    this.maintenance = setInterval(() => this.collect(), MAINTENANCE_MS);
    this.maintenance.unref();
  }

  /** Routes one alert (already merged with what the tenant had) into its groups. */
  insert(alert: Alert): void {
    if (this.stopped) return;
    let placements = this.placements.get(alert.fingerprint);
    if (placements === undefined) {
      placements = matchRoutes(this.root, alert.labels).map((route) => {
        const labels = groupLabels(route, alert.labels);
        // Alertmanager keeps groups per route, not per route key: two routes with the same
        // matchers to different receivers (notification-manager's routes) must not share one.
        const id = `${route.key}\u0000${route.config.receiver}\u0000${fingerprint(labels)}`;
        return { route, labels, id };
      });
      if (placements.length === 1) {
        const id = placements[0].id;
        const shared = this.shared.get(id);
        if (shared === undefined) this.shared.set(id, placements);
        else placements = shared;
      }
      this.placements.set(alert.fingerprint, placements);
    }
    for (const { route, labels, id } of placements) {
      let g = this.groups.get(id);
      if (g === undefined) {
        g = {
          key: `${route.key}:${labelSetString(labels)}`,
          route,
          labels,
          alerts: new Map(),
          hasFlushed: false,
          dueAt: null,
          running: Promise.resolve(),
        };
        this.groups.set(id, g);
        // group_wait runs from when the alert was accepted (its post's receive time), not from
        // when this replica got to it: replicas agree, and the wait does not grow with the lag.
        this.schedule(g, Math.max(0, alert.updatedAt + route.config.groupWaitMs - this.now()));
      }
      g.alerts.set(alert.fingerprint, alert);
      if (!g.hasFlushed && alert.startsAt + route.config.groupWaitMs < this.now())
        this.schedule(g, 0);
    }
  }

  /** The current aggregation groups. */
  list(): AggregationGroup[] {
    return [...this.groups.values()];
  }

  /** Stops every timer; flushes in flight finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.maintenance);
    for (const { timer } of this.slots.values()) clearTimeout(timer);
    this.slots.clear();
    await this.flushed();
  }

  /** Resolves once the flushes started so far have ended (and logged what they sent). */
  async flushed(): Promise<void> {
    await Promise.all([...this.groups.values()].map((g) => g.running));
  }

  /** Flushes now every group that flushed before (its next flush one `group_interval` after). */
  flushAgain(): void {
    if (this.stopped) return;
    for (const g of this.groups.values())
      if (g.hasFlushed && !this.waiting.has(g)) {
        this.unschedule(g);
        this.waiting.add(g);
      }
    this.drain();
  }

  private schedule(g: AggregationGroup, ms: number): void {
    this.unschedule(g);
    // Keyed on the clock timers run by (the injected `now` may be another).
    const at = Date.now() + ms;
    let slot = this.slots.get(at);
    if (slot === undefined) {
      slot = { timer: setTimeout(() => this.fire(at), ms), groups: new Set() };
      this.slots.set(at, slot);
    }
    slot.groups.add(g);
    g.dueAt = at;
  }

  private unschedule(g: AggregationGroup): void {
    const at = g.dueAt;
    if (at === null) return;
    g.dueAt = null;
    const slot = this.slots.get(at);
    if (slot === undefined) return;
    slot.groups.delete(g);
    if (slot.groups.size === 0) {
      clearTimeout(slot.timer);
      this.slots.delete(at);
    }
  }

  private fire(at: number): void {
    const slot = this.slots.get(at);
    this.slots.delete(at);
    if (slot === undefined) return;
    for (const g of slot.groups) {
      g.dueAt = null;
      this.waiting.add(g);
    }
    this.drain();
  }

  /**
   * Starts the flushes of the next `FLUSH_CHUNK` due groups, and the rest on later turns of the
   * event loop: the first notifications go out while the rest wait, even
   * when the timers of many posts' groups fire together.
   */
  private drain(): void {
    for (const g of this.waiting) {
      if (this.turnBudget === 0) break;
      this.waiting.delete(g);
      // Rescheduled in between (a late alert), it flushes on that timer.
      if (g.dueAt !== null) continue;
      this.tick(g);
      this.turnBudget--;
    }
    // The budget is the turn's, not the timer's: posts received milliseconds apart have timers
    // of their own, and after a held loop they all fire in one turn.
    if (this.turnBudget < FLUSH_CHUNK && !this.nextTurnScheduled) {
      this.nextTurnScheduled = true;
      setImmediate(() => {
        this.nextTurnScheduled = false;
        this.turnBudget = FLUSH_CHUNK;
        this.drain();
      });
    }
  }

  private tick(g: AggregationGroup): void {
    if (this.stopped) return;
    this.schedule(g, g.route.config.groupIntervalMs);
    g.hasFlushed = true;
    g.running = g.running.then(() => this.flushGroup(g));
  }

  private async flushGroup(g: AggregationGroup): Promise<void> {
    if (g.alerts.size === 0) return;
    const now = this.now();
    // Alerts that are not resolved yet must not resolve as time moves on during the pipeline.
    const snapshot = [...g.alerts.values()]
      .map((a) => (resolvedAt(a, now) ? a : { ...a, endsAt: null }))
      .sort(compareAlerts);
    let ok = false;
    try {
      ok = await this.flush(g, snapshot);
    } catch {
      ok = false;
    }
    if (!ok) return;
    for (const a of snapshot) {
      const current = g.alerts.get(a.fingerprint);
      if (a.endsAt !== null && current !== undefined && current.updatedAt === a.updatedAt) {
        g.alerts.delete(a.fingerprint);
        // Routed again if it comes back (in any other group it stays until flushed there too).
        this.placements.delete(a.fingerprint);
      }
    }
  }

  private collect(): void {
    const before = this.now() - UNSENT_RESOLVED_KEPT_MS;
    for (const [id, g] of this.groups) {
      for (const [fp, a] of g.alerts)
        if (a.endsAt !== null && a.endsAt < before) {
          g.alerts.delete(fp);
          this.placements.delete(fp);
        }
      if (g.alerts.size === 0 && !this.waiting.has(g)) {
        this.unschedule(g);
        this.groups.delete(id);
        this.shared.delete(id);
      }
    }
  }
}
