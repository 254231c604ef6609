// Float arithmetic that aggregation operators and range functions share (Prometheus'
// `kahanSumInc` and `quantile.go`), kept apart from both so neither imports the other.

/** Neumaier-compensated summation step, returning [sum, compensation]. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (!Number.isFinite(t) && !Number.isNaN(t)) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** The φ-quantile of values with linear interpolation, as Prometheus' `quantile`. */
export function quantile(q: number, values: number[]): number {
  if (values.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  sortForQuantile(values);
  const n = values.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const w = rank - Math.floor(rank);
  return values[lower] * (1 - w) + values[upper] * w;
}

/**
 * Sorts as `byValueAsc` does. Without NaN and zeros, a typed array's native sort gives the same
 * order (equal values are then equal bits, so which goes first does not show); otherwise the
 * stable comparator sort decides, where -0 and +0 keep their input order as in Prometheus.
 */
function sortForQuantile(values: number[]): void {
  const n = values.length;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== v || v === 0) {
      values.sort(byValueAsc);
      return;
    }
  }
  const sorted = Float64Array.from(values).sort();
  for (let i = 0; i < n; i++) values[i] = sorted[i];
}

/** Ascending order with NaN first, matching Prometheus' value heap ordering. */
function byValueAsc(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}
