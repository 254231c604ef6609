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

  constructor(
    readonly unit: EvaluationUnit,
    private readonly deps: GroupRunnerDeps,
  ) {
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
      shouldRestore: true,
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
      if (this.evaluations === 2)
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
