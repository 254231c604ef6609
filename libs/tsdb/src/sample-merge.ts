/** Samples of one series in time order, as parallel arrays (timestamps in ms). */
export interface SampleArrays {
  readonly timestamps: Float64Array;
  readonly values: Float64Array;
}

/**
 * Merges two sample lists of one series by timestamp, as Prometheus' chained series merge does for
 * overlapping sources: a timestamp present in both is kept once, with the value of `a`.
 */
export function mergeSampleArrays(a: SampleArrays, b: SampleArrays): SampleArrays {
  const na = a.timestamps.length;
  const nb = b.timestamps.length;
  if (nb === 0) return a;
  if (na === 0) return b;
  if (a.timestamps[na - 1] < b.timestamps[0]) return concat(a, b);
  if (b.timestamps[nb - 1] < a.timestamps[0]) return concat(b, a);
  const t = new Float64Array(na + nb);
  const v = new Float64Array(na + nb);
  let i = 0;
  let j = 0;
  let n = 0;
  while (i < na || j < nb) {
    const ta = i < na ? a.timestamps[i] : Infinity;
    const tb = j < nb ? b.timestamps[j] : Infinity;
    if (ta <= tb) {
      t[n] = ta;
      v[n++] = a.values[i++];
      if (ta === tb) j++;
    } else {
      t[n] = tb;
      v[n++] = b.values[j++];
    }
  }
  return { timestamps: t.slice(0, n), values: v.slice(0, n) };
}

function concat(first: SampleArrays, second: SampleArrays): SampleArrays {
  const t = new Float64Array(first.timestamps.length + second.timestamps.length);
  const v = new Float64Array(t.length);
  t.set(first.timestamps);
  t.set(second.timestamps, first.timestamps.length);
  v.set(first.values);
  v.set(second.values, first.values.length);
  return { timestamps: t, values: v };
}
