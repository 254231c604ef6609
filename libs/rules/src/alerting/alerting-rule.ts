import { Labels, METRIC_NAME, type Matcher } from '@strata/promql';
import { RuleEvaluationError } from '../errors';
import { type RuleStatus, initialStatus } from '../group/rule-status';
import { type OutputSample } from '../group/sink';
import { type QueryFunc } from '../query/query-func';
import { printedQuery } from '../query/printed-query';
import { type AlertingRule } from '../rule-file/model';
import { expandAlertTemplate } from '../template/expander';
import { type TemplateContext } from '../template/prometheus-funcs';
import { type Alert, RESOLVED_RETENTION_MS, needsSending } from './alert-state';

/** Name of the series of active alerts. */
export const ALERTS_METRIC = 'ALERTS';
/** Name of the series holding each active alert's `activeAt` (seconds), used to restore `for` state. */
export const ALERTS_FOR_STATE_METRIC = 'ALERTS_FOR_STATE';

/** What templates of an alerting rule see beyond the alert itself. */
export interface AlertingRuleOptions {
  externalLabels: Readonly<Record<string, string>>;
  externalURL: string;
  /**
   * Whether the rule's `for` state counts as restored. Until it is, the rule keeps its alerts but
   * writes no `ALERTS` series (Prometheus waits for `ALERTS_FOR_STATE` to be read back first).
   */
  restored: boolean;
}

/**
 * Evaluates one alerting rule as Prometheus' `AlertingRule.Eval` does: alert instances keyed by
 * their labels move inactive → pending → firing with `for`, stay firing `keep_firing_for` after
 * the expression stops returning them, and are kept 15 minutes once resolved so the resolution
 * is resent.
 */
export class AlertingRuleEvaluator {
  readonly kind = 'alerting' as const;
  status: RuleStatus = initialStatus();
  private printed: string | undefined;
  restored: boolean;
  /** Alert instances by the key of their labels, including resolved ones still retained. */
  readonly active = new Map<string, Alert>();

  constructor(
    readonly rule: AlertingRule,
    private readonly opts: AlertingRuleOptions,
  ) {
    this.restored = opts.restored;
  }

  /** The rule's name, as Prometheus' API shows it. */
  get name(): string {
    return this.rule.alert;
  }

  /** The expression as Prometheus prints it back (API `query`, `generatorURL`). */
  get query(): string {
    this.printed ??= printedQuery(this.rule.expr);
    return this.printed;
  }

  /** The `for` duration (ms). */
  get holdDurationMs(): number {
    return this.rule.forMs;
  }

  /** Alerts that are pending or firing (not the resolved ones still retained). */
  activeAlerts(): Alert[] {
    return [...this.active.values()].filter((a) => a.state !== 'inactive');
  }

  /**
   * Evaluates at `ts`: runs the expression at `ts - queryOffset`, expands labels and annotations,
   * advances every alert's state, and returns the `ALERTS` and `ALERTS_FOR_STATE` samples. Throws
   * {@link RuleEvaluationError} for duplicate alerts or more than `limit` active alerts (which
   * also drops every alert, as Prometheus does).
   */
  async eval(
    ts: number,
    queryOffsetMs: number,
    query: QueryFunc,
    limit: number,
  ): Promise<OutputSample[]> {
    const res = await query(this.rule.expr, ts - queryOffsetMs);
    const ctx: TemplateContext = {
      timeMs: ts,
      externalURL: this.opts.externalURL,
      query: async (q, t) =>
        (await query(q, t)).map((s) => ({ labels: s.labels.toRecord(), value: s.value })),
    };
    const found = new Map<string, Alert>();
    for (const smpl of res) {
      const data = {
        labels: smpl.labels.toRecord(),
        externalLabels: this.opts.externalLabels,
        externalURL: this.opts.externalURL,
        value: smpl.value,
      };
      const expand = (text: string): Promise<string> =>
        expandAlertTemplate(this.rule.alert, text, data, ctx);
      const pairs: Array<[string, string]> = [...smpl.labels.without(METRIC_NAME).toMap()];
      for (const [k, v] of Object.entries(this.rule.labels)) pairs.push([k, await expand(v)]);
      pairs.push(['alertname', this.rule.alert]);
      const labels = Labels.fromPairs(pairs);
      const annotations: Array<[string, string]> = [];
      for (const [k, v] of Object.entries(this.rule.annotations).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      )) {
        annotations.push([k, await expand(v)]);
      }
      if (found.has(labels.key)) {
        throw new RuleEvaluationError(
          'vector contains metrics with the same labelset after applying alert labels',
        );
      }
      found.set(labels.key, {
        labels,
        annotations: Object.fromEntries(annotations),
        state: 'pending',
        value: smpl.value,
        activeAt: ts,
        firedAt: null,
        resolvedAt: null,
        lastSentAt: null,
        validUntil: null,
        keepFiringSince: null,
      });
    }
    for (const [key, a] of found) {
      const existing = this.active.get(key);
      if (existing && existing.state !== 'inactive') {
        existing.value = a.value;
        existing.annotations = a.annotations;
      } else {
        this.active.set(key, a);
      }
    }
    const out: OutputSample[] = [];
    let numActivePending = 0;
    const t = ts - queryOffsetMs;
    for (const [key, a] of this.active) {
      if (!found.has(key)) {
        let keepFiring = false;
        if (a.state === 'firing' && this.rule.keepFiringForMs > 0) {
          if (a.keepFiringSince === null) a.keepFiringSince = ts;
          if (ts - a.keepFiringSince < this.rule.keepFiringForMs) keepFiring = true;
        }
        if (
          a.state === 'pending' ||
          (a.resolvedAt !== null && ts - a.resolvedAt > RESOLVED_RETENTION_MS)
        ) {
          this.active.delete(key);
        }
        if (a.state !== 'inactive' && !keepFiring) {
          a.state = 'inactive';
          a.resolvedAt = ts;
        }
        if (!keepFiring) continue;
      } else {
        a.keepFiringSince = null;
      }
      numActivePending++;
      if (a.state === 'pending' && ts - a.activeAt >= this.rule.forMs) {
        a.state = 'firing';
        a.firedAt = ts;
      }
      if (this.restored) {
        out.push(this.alertSample(a, t), this.forStateSample(a, t, Math.floor(a.activeAt / 1000)));
      }
    }
    if (limit > 0 && numActivePending > limit) {
      this.active.clear();
      throw new RuleEvaluationError(`exceeded limit of ${limit} with ${numActivePending} alerts`);
    }
    return out;
  }

  /**
   * The alerts to hand to the notifier after an evaluation at `ts` (Prometheus' `sendAlerts`):
   * firing ones every `resendDelay`, resolved ones once at once. Marks them sent and valid for
   * four times the larger of resend delay and interval.
   */
  alertsToSend(ts: number, resendDelayMs: number, intervalMs: number): Alert[] {
    const out: Alert[] = [];
    for (const a of this.active.values()) {
      if (!needsSending(a, ts, resendDelayMs)) continue;
      a.lastSentAt = ts;
      a.validUntil = ts + 4 * Math.max(resendDelayMs, intervalMs);
      out.push({ ...a });
    }
    return out;
  }

  /** Matchers selecting every `ALERTS_FOR_STATE` series of this rule. */
  forStateMatchers(): Matcher[] {
    const { labels } = this.forStateSample(null, 0, 0);
    return labels.names.map((name, i) => ({ name, op: '=' as const, value: labels.values[i] }));
  }

  private alertSample(a: Alert, t: number): OutputSample {
    // Prometheus starts from the rule's unexpanded labels, so a label whose template expanded to
    // nothing keeps its template text on ALERTS.
    const labels = Labels.fromPairs([
      ...Object.entries(this.rule.labels),
      ...a.labels.toMap(),
      [METRIC_NAME, ALERTS_METRIC],
      ['alertname', this.rule.alert],
      ['alertstate', a.state],
    ]);
    return { labels, t, value: 1 };
  }

  private forStateSample(a: Alert | null, t: number, value: number): OutputSample {
    const labels = Labels.fromPairs([
      ...Object.entries(this.rule.labels),
      ...(a ? a.labels.toMap() : []),
      [METRIC_NAME, ALERTS_FOR_STATE_METRIC],
      ['alertname', this.rule.alert],
    ]);
    return { labels, t, value };
  }
}
