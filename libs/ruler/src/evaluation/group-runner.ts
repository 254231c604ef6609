import { Logger } from '@nestjs/common';
import { type BusClient } from '@strata/bus';
import { type NotifiedAlert } from '@strata/contracts';
import {
  GroupEvaluator,
  GroupSchedule,
  type RestoreOptions,
  nsToMs,
  toNotifierAlert,
} from '@strata/rules';
import { type AlertSender } from '../alerts/alert-sender';
import { type RulerObserver } from '../ruler.metrics';
import { busQueryFunc, busRestoreQueryable } from './bus-query';
import { type EvaluationUnit } from './evaluation-unit';
import { RouterSink } from './router-sink';

/** What every group runner of a replica shares. */
export interface GroupRunnerDeps {
  client: BusClient;
  sender: AlertSender;
  observer: RulerObserver;
  defaultIntervalMs: number;
  resendDelayMs: number;
  externalURL: string;
  restore: RestoreOptions;
  queryTimeoutMs: number;
}

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

/**
 * One group's evaluation loop, as Prometheus' `Group.run`: the first evaluation at the group's
 * next slot, then one per interval (missed slots counted, not caught up), `for` state restored
 * from `ALERTS_FOR_STATE` after the second evaluation, alerts handed to the sender.
 */
export class GroupRunner {
  private readonly log = new Logger('RuleGroup');
  readonly evaluator: GroupEvaluator;
  private readonly schedule: GroupSchedule;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private evaluations = 0;
  private nextSlotNs: bigint;
  /** Whether `for` state still has to be read back from `ALERTS_FOR_STATE` after the second evaluation. */
  private readonly restoring: boolean;
  private staleTimer: NodeJS.Timeout | null = null;
  private cancelStale: () => void = () => undefined;

  /**
   * `previous`, the stopped runner of the same group before its content changed, hands its state
   * over as Prometheus' reload does; without it the group starts fresh and restores `for` state.
   */
  constructor(
    readonly unit: EvaluationUnit,
    private readonly deps: GroupRunnerDeps,
    previous?: GroupRunner,
  ) {
    this.restoring = previous === undefined;
    const global = unit.target.scope === 'global';
    const externalLabels: Record<string, string> = global ? { tenant_id: unit.tenantId } : {};
    this.evaluator = new GroupEvaluator(unit.group, {
      file: unit.file,
      query: busQueryFunc(deps.client, unit.tenantId, deps.queryTimeoutMs),
      sink: new RouterSink(deps.client, unit.tenantId, deps.queryTimeoutMs, (n) =>
        deps.observer.samplesWritten(unit.tenantId, n),
      ),
      defaultIntervalMs: deps.defaultIntervalMs,
      externalLabels,
      externalURL: deps.externalURL,
      shouldRestore: this.restoring,
      restore: deps.restore,
      resendDelayMs: deps.resendDelayMs,
      notify: (expr, alerts) => {
        const notified: NotifiedAlert[] = alerts.map((a) => {
          const n = toNotifierAlert(a, expr, deps.externalURL);
          // Prometheus' notifier adds external labels the alert does not already carry.
          return { ...n, labels: { ...externalLabels, ...n.labels } };
        });
        const namespace = unit.target.scope === 'namespace' ? unit.target.namespace : unit.file;
        deps.sender.enqueue({
          tenantId: unit.tenantId,
          scope: unit.target.scope,
          namespace,
          group: unit.group.name,
          alerts: notified,
        });
      },
    });
    this.schedule = new GroupSchedule(
      BigInt(this.evaluator.intervalMs) * 1_000_000n,
      this.evaluator.hash,
    );
    if (previous) this.evaluator.copyState(previous.evaluator);
    this.nextSlotNs = this.schedule.first(nowNs());
  }

  /** Starts the loop; the first evaluation waits for the group's next slot. */
  start(): void {
    this.arm();
  }

  /** Stops the loop after the evaluation in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * For a group deleted from the control plane (not one moved to another replica): after two
   * intervals, marks the series of its last evaluation stale as Prometheus does. The returned
   * promise settles when that is done; {@link cancelStaleMarking} drops it on shutdown.
   */
  markStaleLater(): Promise<void> {
    const stoppedAt = Date.now();
    return new Promise((resolve) => {
      this.staleTimer = setTimeout(() => {
        this.staleTimer = null;
        this.evaluator
          .markStale(stoppedAt)
          .catch((e: unknown) =>
            this.log.warn(`marking the series of ${this.unit.key} stale: ${String(e)}`),
          )
          .finally(resolve);
      }, 2 * this.evaluator.intervalMs);
      this.cancelStale = resolve;
    });
  }

  /** Gives up a pending {@link markStaleLater}. */
  cancelStaleMarking(): void {
    if (this.staleTimer) clearTimeout(this.staleTimer);
    this.staleTimer = null;
    this.cancelStale();
  }

  /** Evaluations done so far. */
  get evaluationCount(): number {
    return this.evaluations;
  }

  private arm(): void {
    if (this.stopped) return;
    // Rounded up: a slot has nanoseconds (the group's hash offset), and a tick before it would
    // make the schedule evaluate the previous slot a second time.
    const waitMs = Math.max(0, Number((this.nextSlotNs - nowNs() + 999_999n) / 1_000_000n));
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, waitMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    // Node may fire a timer up to a millisecond early.
    if (nowNs() < this.nextSlotNs) return this.arm();
    const { evalNs, missed } =
      this.evaluations === 0 ? { evalNs: this.nextSlotNs, missed: 0 } : this.schedule.next(nowNs());
    const ts = nsToMs(evalNs);
    try {
      await this.evaluator.eval(ts);
      this.evaluations++;
      if (this.evaluations === 2 && this.restoring)
        await this.evaluator.restoreForState(
          ts,
          busRestoreQueryable(this.deps.client, this.unit.tenantId, this.deps.queryTimeoutMs),
        );
    } catch (error) {
      this.log.error(`evaluating ${this.unit.key} failed: ${String(error)}`);
    }
    const failed = this.evaluator.rules.filter((r) => r.status.health === 'err').length;
    this.deps.observer.evaluated(
      this.unit.tenantId,
      `${this.unit.file};${this.unit.group.name}`,
      this.evaluator.evaluationTimeMs / 1000,
      failed,
      missed,
    );
    this.nextSlotNs = evalNs + BigInt(this.evaluator.intervalMs) * 1_000_000n;
    this.arm();
  }
}
