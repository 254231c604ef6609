import { STALE_NAN } from '@strata/contracts';
import { type Labels, type Queryable } from '@strata/promql';
import { type Alert } from '../alerting/alert-state';
import { AlertingRuleEvaluator } from '../alerting/alerting-rule';
import { DEFAULT_RESTORE_OPTIONS, type RestoreOptions, restoreForState } from '../alerting/restore';
import { type QueryFunc } from '../query/query-func';
import { RecordingRuleEvaluator } from '../recording/recording-rule';
import { type RuleGroup } from '../rule-file/model';
import { type LabelsLayout, groupHash } from './eval-timestamp';
import { type OutputSample, type SampleSink } from './sink';

/** A rule of an evaluated group. */
export type RuleEvaluator = RecordingRuleEvaluator | AlertingRuleEvaluator;

/** Alerts an alerting rule hands to the notifier after an evaluation, with the rule's expression. */
export type NotifyFunc = (expr: string, alerts: Alert[]) => void;

// Prometheus' `nameAndLabels`: how a changed group's rules find their former selves.
function nameAndLabels(rule: RuleEvaluator): string {
  const labels = Object.entries(rule.rule.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${rule.name}\0${JSON.stringify(labels)}`;
}

/** Everything a group needs around it; defaults are Prometheus'. */
export interface GroupEvaluatorOptions {
  /** The file (or namespace) the group came from; with the name it sets the evaluation offset. */
  file: string;
  query: QueryFunc;
  sink: SampleSink;
  /** Global evaluation interval, used when the group sets none (default 1m). */
  defaultIntervalMs?: number;
  /** Global rule query offset, used when the group sets none (default 0). */
  defaultQueryOffsetMs?: number;
  externalLabels?: Readonly<Record<string, string>>;
  externalURL?: string;
  /**
   * True when alerting rules must restore their `for` state before writing `ALERTS` (a ruler that
   * just started); call {@link GroupEvaluator.restoreForState} after the second evaluation.
   */
  shouldRestore?: boolean;
  restore?: RestoreOptions;
  /** Prometheus' `--rules.alert.resend-delay` (default 1m). */
  resendDelayMs?: number;
  notify?: NotifyFunc;
  /** Label layout hashed for the evaluation offset (default Prometheus 3's). */
  labelsLayout?: LabelsLayout;
  /** Wall clock for evaluation durations (default Date.now). */
  clock?: () => number;
}

/**
 * One rule group evaluated with Prometheus' semantics (`rules/group.go`): rules in order, each
 * seeing what the rules before it wrote; results and staleness markers written per rule; failures
 * recorded on the rule without stopping the group.
 */
export class GroupEvaluator {
  readonly rules: RuleEvaluator[];
  readonly intervalMs: number;
  readonly queryOffsetMs: number;
  readonly limit: number;
  /** Prometheus' `Group.hash()`, which places the group's evaluations within its interval. */
  readonly hash: bigint;
  /** Wall-clock start of the last evaluation (ms) and how long it took. */
  lastEvaluation: number | null = null;
  evaluationTimeMs = 0;
  /** The evaluation time (ms) of the last evaluation. */
  lastEvalTimestamp: number | null = null;
  private readonly previous: Array<Map<string, Labels>>;
  /** Series of rules that no longer exist, marked stale after the next evaluation. */
  private staleSeries: Labels[] = [];
  private readonly clock: () => number;

  constructor(
    readonly group: RuleGroup,
    private readonly opts: GroupEvaluatorOptions,
  ) {
    this.intervalMs = group.intervalMs ?? opts.defaultIntervalMs ?? 60_000;
    this.queryOffsetMs = group.queryOffsetMs ?? opts.defaultQueryOffsetMs ?? 0;
    this.limit = group.limit;
    this.hash = groupHash(opts.file, group.name, opts.labelsLayout);
    this.clock = opts.clock ?? Date.now;
    const alertOpts = {
      externalLabels: opts.externalLabels ?? {},
      externalURL: opts.externalURL ?? '',
      restored: !(opts.shouldRestore ?? false),
    };
    this.rules = group.rules.map((r) =>
      r.kind === 'recording'
        ? new RecordingRuleEvaluator(r)
        : new AlertingRuleEvaluator(r, alertOpts),
    );
    this.previous = this.rules.map(() => new Map());
  }

  /** Evaluates every rule at `ts` (ms), in order, as Prometheus' `Group.Eval` does. */
  async eval(ts: number): Promise<void> {
    const start = this.clock();
    for (let i = 0; i < this.rules.length; i++) await this.evalRule(i, ts);
    await this.cleanupStaleSeries(ts);
    this.lastEvaluation = start;
    this.evaluationTimeMs = this.clock() - start;
    this.lastEvalTimestamp = ts;
  }

  /**
   * Marks every series of the last evaluation stale at `ts` (ms) minus the query offset, as
   * Prometheus does two intervals
   * after a group left its configuration (the wait lets a renamed group write its series first).
   */
  async markStale(ts: number): Promise<void> {
    for (let i = 0; i < this.previous.length; i++) {
      this.staleSeries.push(...this.previous[i].values());
      this.previous[i] = new Map();
    }
    await this.cleanupStaleSeries(ts);
  }

  // Prometheus appends the markers after the rules, and its storage refuses the ones a rule just
  // wrote a sample for at the same timestamp; they are left out here rather than sent to be refused.
  private async cleanupStaleSeries(ts: number): Promise<void> {
    if (this.staleSeries.length === 0) return;
    const live = new Set(this.previous.flatMap((m) => [...m.keys()]));
    const t = ts - this.queryOffsetMs;
    const markers: OutputSample[] = this.staleSeries
      .filter((labels) => !live.has(labels.key))
      .map((labels) => ({ labels, t, value: STALE_NAN, stale: true }));
    try {
      if (markers.length > 0) await this.opts.sink.append(markers);
      this.staleSeries = [];
    } catch {
      // Kept for the next evaluation, as Prometheus keeps them when the commit fails.
    }
  }

  private async evalRule(i: number, ts: number): Promise<void> {
    const rule = this.rules[i];
    const start = this.clock();
    rule.status.lastEvaluation = start;
    try {
      let vector: OutputSample[];
      try {
        vector = await rule.eval(ts, this.queryOffsetMs, this.opts.query, this.limit);
      } catch (e) {
        rule.status.health = 'err';
        rule.status.lastError = e instanceof Error ? e.message : String(e);
        return;
      }
      rule.status.health = 'ok';
      rule.status.lastError = null;
      if (rule instanceof AlertingRuleEvaluator) {
        const alerts = rule.alertsToSend(ts, this.opts.resendDelayMs ?? 60_000, this.intervalMs);
        this.opts.notify?.(rule.query, alerts);
      }
      const returned = new Map<string, Labels>();
      for (const s of vector) returned.set(s.labels.key, s.labels);
      const stale: OutputSample[] = [];
      for (const [key, labels] of this.previous[i]) {
        if (!returned.has(key))
          stale.push({ labels, t: ts - this.queryOffsetMs, value: STALE_NAN, stale: true });
      }
      try {
        await this.opts.sink.append([...vector, ...stale]);
      } catch (e) {
        rule.status.health = 'err';
        rule.status.lastError = e instanceof Error ? e.message : String(e);
        return;
      }
      this.previous[i] = returned;
    } finally {
      rule.status.evaluationTimeMs = this.clock() - start;
    }
  }

  /**
   * Takes over the state of `from`, the same group before its content changed, as Prometheus'
   * `Group.CopyState` does on a reload: rules are matched by name and labels (the n-th duplicate
   * with the n-th), a matched alerting rule keeps its alerts with their `activeAt`, a matched rule
   * keeps the series of its last evaluation for staleness, and the series of rules without a match
   * are marked stale after the next evaluation.
   */
  copyState(from: GroupEvaluator): void {
    this.lastEvaluation = from.lastEvaluation;
    this.evaluationTimeMs = from.evaluationTimeMs;
    this.lastEvalTimestamp = from.lastEvalTimestamp;
    const unmatched = new Map<string, number[]>();
    from.rules.forEach((r, i) => {
      const id = nameAndLabels(r);
      unmatched.set(id, [...(unmatched.get(id) ?? []), i]);
    });
    this.rules.forEach((rule, i) => {
      const fi = unmatched.get(nameAndLabels(rule))?.shift();
      if (fi === undefined) return;
      this.previous[i] = new Map(from.previous[fi]);
      const old = from.rules[fi];
      if (rule instanceof AlertingRuleEvaluator && old instanceof AlertingRuleEvaluator)
        for (const [key, alert] of old.active) rule.active.set(key, alert);
    });
    this.staleSeries = [...from.staleSeries];
    for (const indexes of unmatched.values())
      for (const fi of indexes) this.staleSeries.push(...from.previous[fi].values());
  }

  /**
   * Restores `for` state of every alerting rule from `ALERTS_FOR_STATE` in `queryable` (Prometheus
   * does this after the second evaluation following a start), then lets them write `ALERTS`.
   */
  async restoreForState(ts: number, queryable: Queryable): Promise<void> {
    for (const r of this.rules) {
      if (r instanceof AlertingRuleEvaluator)
        await restoreForState(r, ts, queryable, this.opts.restore ?? DEFAULT_RESTORE_OPTIONS);
    }
  }
}
