import { isStaleNaN } from '@strata/contracts';
import { type Queryable } from '@strata/promql';
import { type AlertingRuleEvaluator } from './alerting-rule';

/** Prometheus' `--rules.alert.for-outage-tolerance` and `--rules.alert.for-grace-period`. */
export interface RestoreOptions {
  /** How long an outage may have lasted for `for` state to be restored (default 1h). */
  outageToleranceMs: number;
  /** The least time a restored alert still waits before firing (default 10m). */
  forGracePeriodMs: number;
}

/** Prometheus' defaults. */
export const DEFAULT_RESTORE_OPTIONS: RestoreOptions = {
  outageToleranceMs: 60 * 60_000,
  forGracePeriodMs: 10 * 60_000,
};

/**
 * Restores the `activeAt` of the rule's active alerts from their last `ALERTS_FOR_STATE` sample
 * within the outage tolerance, as Prometheus' `Group.RestoreForState` does after a restart: time
 * spent down does not count towards `for`, and an alert never fires sooner than the grace period
 * after the restart (unless its `for` is shorter than that, when nothing is restored).
 */
export async function restoreForState(
  rule: AlertingRuleEvaluator,
  ts: number,
  queryable: Queryable,
  opts: RestoreOptions = DEFAULT_RESTORE_OPTIONS,
): Promise<void> {
  const hold = rule.holdDurationMs;
  if (hold < opts.forGracePeriodMs) {
    rule.restored = true;
    return;
  }
  const querier = queryable.querier(ts - opts.outageToleranceMs, ts);
  try {
    const series = await querier.select(false, null, ...rule.forStateMatchers());
    const byLabels = new Map(series.map((s) => [s.labels.without('__name__').key, s]));
    if (byLabels.size === 0) {
      rule.restored = true;
      return;
    }
    for (const a of rule.active.values()) {
      const s = byLabels.get(a.labels.key);
      if (s === undefined) continue;
      const it = s.iterator();
      let t = NaN;
      let v = NaN;
      let any = false;
      while (it.next()) {
        t = it.t;
        v = it.v;
        any = true;
      }
      if (!any || isStaleNaN(v)) continue;
      // Prometheus works in whole seconds here: the last sample's second and the stored activeAt.
      const downAt = Math.trunc(t / 1000) * 1000;
      let restoredActiveAt = Math.trunc(v) * 1000;
      const remaining = hold - (downAt - restoredActiveAt);
      if (remaining <= 0) {
        // It was firing when the ruler stopped; the next evaluation decides whether it still is.
      } else if (remaining < opts.forGracePeriodMs) {
        restoredActiveAt = ts + opts.forGracePeriodMs - hold;
      } else {
        restoredActiveAt += ts - downAt;
      }
      a.activeAt = restoredActiveAt;
    }
    rule.restored = true;
  } catch {
    // Prometheus cannot retry a failed restore either: the alerts fire after their full `for`.
    rule.restored = true;
  } finally {
    querier.close();
  }
}
