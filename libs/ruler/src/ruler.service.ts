import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import {
  BUS,
  BUS_ROUTES,
  BusClient,
  KV,
  type Bus,
  type BusRoutes,
  type KvProvider,
  type Stoppable,
} from '@strata/bus';
import {
  KvBuckets,
  type PromRuleGroupStatus,
  type RulerStatusReply,
  Streams,
  SubjectPatterns,
  Subjects,
  parsePromDurationMs,
} from '@strata/contracts';
import {
  INSTANCE_IDENTITY,
  type InstanceIdentity,
  InjectPlatformConfig,
  type PlatformConfig,
  StrataMetrics,
} from '@strata/service-kit';
import { AlertSender } from './alerts/alert-sender';
import { type EvaluationUnit } from './evaluation/evaluation-unit';
import { GroupRunner, type GroupRunnerDeps } from './evaluation/group-runner';
import { RuleGroupSource } from './rule-group-source';
import { type RulerObserver, rulerMetrics } from './ruler.metrics';
import { GroupLeases } from './sharding/group-leases';
import { hashToken } from './sharding/rendezvous';
import { parseRulerTenants } from './sharding/tenant-placement';
import { TenantReservations } from './sharding/tenant-reservations';
import { groupStatus, unevaluatedStatus } from './status/rule-status';

const QUERY_TIMEOUT_MS = 60_000;
const STATUS_TIMEOUT_MS = 5_000;

function byFileAndName(a: PromRuleGroupStatus, b: PromRuleGroupStatus): number {
  return a.file === b.file
    ? a.name < b.name
      ? -1
      : a.name > b.name
        ? 1
        : 0
    : a.file < b.file
      ? -1
      : 1;
}

/**
 * The ruler: reads rule groups from the control plane every poll interval, evaluates the ones
 * this replica leases (one {@link GroupRunner} each), and answers for their status.
 */
@Injectable()
export class RulerService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('Ruler');
  private readonly client: BusClient;
  private readonly observer: RulerObserver;
  private readonly deps: GroupRunnerDeps;
  private readonly source: RuleGroupSource;
  /** This replica's name in KV keys and subjects. */
  readonly replica: string;
  private units = new Map<string, EvaluationUnit>();
  private readonly runners = new Map<string, GroupRunner>();
  /** Runners of deleted groups, waiting to mark their series stale. */
  private readonly retiring = new Set<GroupRunner>();
  private leases: GroupLeases | null = null;
  private timers: NodeJS.Timeout[] = [];
  private serving: Stoppable | null = null;
  private work: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(BUS_ROUTES) private readonly routes: BusRoutes,
    @Inject(KV) private readonly kv: KvProvider,
    @InjectPlatformConfig() private readonly config: PlatformConfig,
    @Inject(INSTANCE_IDENTITY) identity: InstanceIdentity,
    metrics: StrataMetrics,
  ) {
    this.client = new BusClient(bus);
    this.observer = rulerMetrics(metrics);
    this.replica = hashToken(identity.instanceId).slice(0, 16);
    this.source = new RuleGroupSource(this.client);
    const urls = config.STRATA_RULER_ALERTMANAGER_URL.split(',')
      .map((u) => u.trim())
      .filter(Boolean);
    this.deps = {
      client: this.client,
      sender: new AlertSender(bus, urls, this.observer),
      observer: this.observer,
      defaultIntervalMs: parsePromDurationMs(config.STRATA_RULER_EVALUATION_INTERVAL),
      resendDelayMs: parsePromDurationMs(config.STRATA_RULER_RESEND_DELAY),
      externalURL: config.STRATA_RULER_EXTERNAL_URL.replace(/\/+$/, ''),
      restore: {
        outageToleranceMs: parsePromDurationMs(config.STRATA_RULER_FOR_OUTAGE_TOLERANCE),
        forGracePeriodMs: parsePromDurationMs(config.STRATA_RULER_FOR_GRACE_PERIOD),
      },
      queryTimeoutMs: QUERY_TIMEOUT_MS,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    const ttlMs = this.config.STRATA_RULER_LEASE_TTL_SECONDS * 1000;
    await this.bus.ensureStream({
      name: Streams.rulerAlerts.name,
      subjects: [...Streams.rulerAlerts.subjects],
      storage: 'file',
      maxAgeMs: 24 * 3600_000,
      duplicateWindowMs: 120_000,
    });
    const tenants = parseRulerTenants(this.config.STRATA_RULER_TENANTS);
    const reservations = new TenantReservations(
      await this.kv.openKv(KvBuckets.rulerReservations, { history: 1 }),
      this.replica,
      tenants ?? [],
      this.config.STRATA_RULER_TENANT_HOLD_SECONDS * 1000,
      ttlMs,
    );
    this.leases = new GroupLeases(
      await this.kv.openKv(KvBuckets.rulerLeases, { ttlMs, history: 1 }),
      this.replica,
      ttlMs,
      tenants,
      reservations,
    );
    this.serving = this.routes.open(
      SubjectPatterns.rulerReplicaStatus,
      Subjects.rulerReplicaStatus(this.replica),
    );
    await this.leases.renew();
    await this.sync().catch((e: unknown) =>
      this.log.warn(`reading rule groups failed, will retry: ${String(e)}`),
    );
    await this.reconcile();
    const every = Math.max(100, Math.floor(ttlMs / 3));
    this.timers.push(
      setInterval(() => this.serially(() => this.leases?.renew() ?? Promise.resolve()), every),
      setInterval(() => this.serially(() => this.reconcile()), every),
      setInterval(
        () => this.serially(() => this.sync()),
        this.config.STRATA_RULER_POLL_INTERVAL_SECONDS * 1000,
      ),
    );
    this.log.log(
      `ruler replica ${this.replica} started${tenants ? ` for tenants ${tenants.join(', ')}` : ''}`,
    );
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.work;
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    this.runners.clear();
    for (const r of this.retiring) r.cancelStaleMarking();
    await this.deps.sender.flush();
    await this.leases?.leave();
    await this.serving?.stop();
  }

  /** Status of the groups of `tenantId` this replica evaluates. */
  localStatus(tenantId: string): RulerStatusReply {
    const groups = [...this.runners.values()]
      .filter((r) => r.unit.tenantId === tenantId)
      .map((r) => groupStatus(r.unit, r.evaluator));
    return { groups: groups.sort(byFileAndName) };
  }

  /** Status of every group of `tenantId`, gathered from every live replica; groups no replica evaluates yet show as never evaluated. */
  async status(tenantId: string): Promise<RulerStatusReply> {
    const members = this.leases?.liveMembers() ?? [this.replica];
    const replies = await Promise.all(
      members.map((m) =>
        m === this.replica
          ? Promise.resolve(this.localStatus(tenantId))
          : this.client
              .ask(Subjects.rulerReplicaStatus(m), { tenantId }, { timeoutMs: STATUS_TIMEOUT_MS })
              .catch(() => ({ groups: [] })),
      ),
    );
    const seen = new Map<string, PromRuleGroupStatus>();
    for (const g of replies.flatMap((r) => r.groups))
      seen.set(`${g.scope}\0${g.file}\0${g.name}`, g);
    for (const unit of this.units.values()) {
      if (unit.tenantId !== tenantId) continue;
      const id = `${unit.target.scope}\0${unit.file}\0${unit.group.name}`;
      if (!seen.has(id)) seen.set(id, unevaluatedStatus(unit, this.deps.defaultIntervalMs));
    }
    return { groups: [...seen.values()].sort(byFileAndName) };
  }

  /** Evaluations done by the runner of `key` on this replica, for tests and tools. */
  runnerKeys(): string[] {
    return [...this.runners.keys()];
  }

  private serially(task: () => Promise<void>): void {
    this.work = this.work.then(async () => {
      if (this.stopped) return;
      try {
        await task();
      } catch (error) {
        this.log.warn(`ruler round failed: ${String(error)}`);
      }
    });
  }

  private retire(runner: GroupRunner): void {
    this.retiring.add(runner);
    void runner.markStaleLater().then(() => this.retiring.delete(runner));
  }

  private async sync(): Promise<void> {
    this.units = await this.source.load();
  }

  private async reconcile(): Promise<void> {
    if (!this.leases || this.stopped) return;
    const held = await this.leases.round([...this.units.values()]);
    const changed = new Map<string, GroupRunner>();
    for (const [key, runner] of this.runners) {
      const unit = this.units.get(key);
      const same = unit && JSON.stringify(unit.spec) === JSON.stringify(runner.unit.spec);
      if (held.has(key) && same) continue;
      this.runners.delete(key);
      await runner.stop();
      // A changed group goes on as the same group, as after Prometheus' reload; the others leave.
      if (unit && held.has(key)) {
        changed.set(key, runner);
        continue;
      }
      this.observer.forget(runner.unit.tenantId, `${runner.unit.file};${runner.unit.group.name}`);
      if (!unit) this.retire(runner);
    }
    for (const key of held) {
      const unit = this.units.get(key);
      if (!unit || this.runners.has(key)) continue;
      const runner = new GroupRunner(unit, this.deps, changed.get(key));
      this.runners.set(key, runner);
      runner.start();
    }
    this.observer.owned(this.runners.size);
  }
}
