import { type Labels, compareLabelsUtf8 } from '@strata/tsdb';

/** A series with its samples in time order (parallel arrays, timestamps in ms). */
export interface ReplicaSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
}

/** Penalty before the first delta is known: timestamps are ms, scrape intervals seconds (Thanos' constant). */
const INITIAL_PENALTY_MS = 5_000;

/** Index of the first timestamp at or after `t`, from `from` on. */
function seek(ts: Float64Array, from: number, t: number): number {
  let i = from;
  while (i < ts.length && ts[i] < t) i++;
  return i;
}

/**
 * Deduplicates two replicas of one series as Thanos' querier does (`pkg/dedup`): follow the
 * replica with the earlier sample; the other one is only taken again after a gap of twice the
 * last interval, so two HA Prometheus scraping the same target at offsets do not interleave
 * into a series sampled twice as often, and a gap in one replica is filled from the other.
 */
export function dedupPair(a: ReplicaSeries, b: ReplicaSeries): ReplicaSeries {
  const t: number[] = [];
  const v: number[] = [];
  let ia = 0;
  let ib = 0;
  let penA = 0;
  let penB = 0;
  let lastT = -Infinity;
  for (;;) {
    const from = lastT === -Infinity ? -Infinity : lastT + 1;
    ia = seek(a.timestamps, ia, from + penA);
    ib = seek(b.timestamps, ib, from + penB);
    const hasA = ia < a.timestamps.length;
    const hasB = ib < b.timestamps.length;
    if (!hasA && !hasB) break;
    let useA: boolean;
    if (!hasA) useA = false;
    else if (!hasB) useA = true;
    else useA = a.timestamps[ia] <= b.timestamps[ib];
    const ta = hasA ? a.timestamps[ia] : 0;
    const tb = hasB ? b.timestamps[ib] : 0;
    if (useA) {
      if (hasB) penB = lastT === -Infinity ? INITIAL_PENALTY_MS : 2 * (ta - lastT);
      penA = 0;
      lastT = ta;
      t.push(ta);
      v.push(a.values[ia]);
    } else {
      if (hasA) penA = lastT === -Infinity ? INITIAL_PENALTY_MS : 2 * (tb - lastT);
      penB = 0;
      lastT = tb;
      t.push(tb);
      v.push(b.values[ib]);
    }
  }
  return { labels: a.labels, timestamps: Float64Array.from(t), values: Float64Array.from(v) };
}

/** Labels without the replica labels. */
export function withoutReplicaLabels(labels: Labels, replicaLabels: ReadonlySet<string>): Labels {
  return labels.filter((l) => !replicaLabels.has(l.name));
}

/**
 * Drops the replica labels (Thanos' `--query.replica-label`) from every series and merges the
 * series that become identical with {@link dedupPair}, chained over the replicas in label order;
 * the result is sorted by labels.
 */
export function dedupReplicas(
  series: readonly ReplicaSeries[],
  replicaLabels: ReadonlySet<string>,
): ReplicaSeries[] {
  if (replicaLabels.size === 0) return [...series];
  const groups = new Map<string, ReplicaSeries[]>();
  for (const s of [...series].sort((x, y) => compareLabelsUtf8(x.labels, y.labels))) {
    const labels = withoutReplicaLabels(s.labels, replicaLabels);
    const key = labels.map((l) => `${l.name}\u0000${l.value}`).join('\u0001');
    const group = groups.get(key);
    const stripped = { ...s, labels };
    if (group) group.push(stripped);
    else groups.set(key, [stripped]);
  }
  const out: ReplicaSeries[] = [];
  for (const group of groups.values()) out.push(group.reduce((acc, s) => dedupPair(acc, s)));
  return out.sort((x, y) => compareLabelsUtf8(x.labels, y.labels));
}
