/** What one log alert rule reports at an evaluation: an alert to (re)send, or nothing. */
export interface LogAlertUpdate {
  alert: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When it started firing (ISO). */
  startsAt: string;
  /** In the future while firing (so Alertmanager keeps it until the next send); now once resolved. */
  endsAt: string;
  resolved: boolean;
  count: number;
}

/** A rule as the counter needs it. */
export interface LogAlertRule {
  alert: string;
  windowMs: number;
  threshold: number;
  forMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

const BUCKET_MS = 1000;

interface RuleState {
  rule: LogAlertRule;
  buckets: Map<number, number>;
  pendingSince: number | null;
  firingSince: number | null;
}

/**
 * Counts the records each log alert rule matched in one-second buckets and evaluates the rules as
 * Prometheus evaluates `count_over_time(...) >= threshold` with `for`: pending first, firing once
 * it held for `for`, resolved when it stops holding.
 */
export class LogAlertCounts {
  private readonly rules = new Map<string, RuleState>();

  /** Declares (or redeclares, keeping its counts and state) the rule of transform `id`. */
  declare(id: string, rule: LogAlertRule): void {
    const existing = this.rules.get(id);
    if (existing) existing.rule = rule;
    else this.rules.set(id, { rule, buckets: new Map(), pendingSince: null, firingSince: null });
  }

  /** Forgets the rules not in `ids` (a new version of the pipeline dropped them). */
  retain(ids: ReadonlySet<string>): void {
    for (const id of this.rules.keys()) if (!ids.has(id)) this.rules.delete(id);
  }

  /** Counts `n` matching records for the rule of transform `id` at `nowMs`. */
  add(id: string, nowMs: number, n: number): void {
    const s = this.rules.get(id);
    if (!s || n === 0) return;
    const bucket = Math.floor(nowMs / BUCKET_MS);
    s.buckets.set(bucket, (s.buckets.get(bucket) ?? 0) + n);
  }

  /** Evaluates every rule at `nowMs`; `resendMs` is how far ahead a firing alert's `endsAt` lies. */
  evaluate(nowMs: number, resendMs: number): LogAlertUpdate[] {
    const updates: LogAlertUpdate[] = [];
    for (const s of this.rules.values()) {
      const from = Math.floor((nowMs - s.rule.windowMs) / BUCKET_MS);
      let count = 0;
      for (const [b, n] of s.buckets) {
        if (b <= from) s.buckets.delete(b);
        else count += n;
      }
      const holds = count >= s.rule.threshold;
      const base = {
        alert: s.rule.alert,
        labels: { ...s.rule.labels, alertname: s.rule.alert },
        annotations: { ...s.rule.annotations, count: String(count) },
        count,
      };
      if (holds) {
        s.pendingSince ??= nowMs;
        if (s.firingSince === null && nowMs - s.pendingSince >= s.rule.forMs) s.firingSince = nowMs;
        if (s.firingSince !== null)
          updates.push({
            ...base,
            startsAt: new Date(s.firingSince).toISOString(),
            endsAt: new Date(nowMs + resendMs).toISOString(),
            resolved: false,
          });
      } else {
        if (s.firingSince !== null)
          updates.push({
            ...base,
            startsAt: new Date(s.firingSince).toISOString(),
            endsAt: new Date(nowMs).toISOString(),
            resolved: true,
          });
        s.pendingSince = null;
        s.firingSince = null;
      }
    }
    return updates;
  }
}
