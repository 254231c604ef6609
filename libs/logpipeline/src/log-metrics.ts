/** One counter series: metric name, label pairs sorted by name, and how many lines it counted. */
export interface LogMetricSample {
  name: string;
  labels: Array<{ name: string; value: string }>;
  value: number;
}

const byName = (a: { name: string }, b: { name: string }) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/**
 * The counters of a pipeline's `log_to_metric` transforms: monotonic totals exported as counter
 * series. logflow keeps them in KV, so they continue across restarts.
 */
export class LogMetricCounts {
  private readonly series = new Map<string, LogMetricSample>();

  /** Adds `by` to the series of `name` with `labels`. */
  add(name: string, labels: Array<{ name: string; value: string }>, by = 1): void {
    const sorted = [...labels].sort(byName);
    const key = JSON.stringify([name, sorted]);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { name, labels: sorted, value: by });
  }

  /** Adds every series of `samples` (such as one batch's counts). */
  addAll(samples: readonly LogMetricSample[]): void {
    for (const s of samples) this.add(s.name, s.labels, s.value);
  }

  /** Replaces every total with `samples` (such as totals read back from storage). */
  reset(samples: readonly LogMetricSample[]): void {
    this.series.clear();
    this.addAll(samples);
  }

  /** Every series with its current total. */
  snapshot(): LogMetricSample[] {
    return [...this.series.values()].map((s) => ({ ...s, labels: [...s.labels] }));
  }

  /** How many series there are. */
  get size(): number {
    return this.series.size;
  }
}
