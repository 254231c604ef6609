import { type Labels } from '@strata/promql';

/** A sample a rule evaluation writes: recorded series, `ALERTS`, `ALERTS_FOR_STATE` or a staleness marker. */
export interface OutputSample {
  labels: Labels;
  /** Timestamp in ms: the evaluation time minus the group's query offset. */
  t: number;
  value: number;
  /** Set on staleness markers, whose value is Prometheus' stale NaN (JavaScript may not keep NaN bits). */
  stale?: true;
}

/**
 * Where a group's results go, one batch per rule and evaluation (Prometheus' appender commit).
 * A later rule of the group must see an earlier rule's batch once `append` resolved; a rejection
 * marks the rule unhealthy and keeps its previous series for staleness tracking.
 */
export interface SampleSink {
  append(samples: readonly OutputSample[]): Promise<void>;
}
