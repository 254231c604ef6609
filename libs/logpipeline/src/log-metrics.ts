/** One counter series: metric name, label pairs sorted by name, and how many lines it counted. */
export interface LogMetricSample {
  name: string;
  labels: Array<{ name: string; value: string }>;
  value: number;
}

/**
 * The counters of a pipeline's `log_to_metric` transforms: monotonic totals since the process
 * started, exported as counter series (a restart resets them, which `rate()` handles).
 */
export class LogMetricCounts {
  private readonly series = new Map<string, LogMetricSample>();

  /** Adds `by` to the series of `name` with `labels`. */
  add(name: string, labels: Array<{ name: string; value: string }>, by = 1): void {
    const sorted = [...labels].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const key = JSON.stringify([name, sorted]);
    const s = this.series.get(key);
    if (s) s.value += by;
    else this.series.set(key, { name, labels: sorted, value: by });
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
