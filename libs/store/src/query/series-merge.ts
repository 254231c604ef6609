import { type Labels, compareLabelsUtf8 } from '@strata/tsdb';

/** A series with its samples in time order (parallel arrays, timestamps in ms). */
export interface SampleSeries {
  labels: Labels;
  timestamps: Float64Array;
  values: Float64Array;
}

/**
 * Merges two sample lists of one series by timestamp, as Prometheus' chained series merge does for
 * overlapping blocks: a timestamp present in both is kept once, with the value of `a`.
 */
export function mergeSamples(a: SampleSeries, b: SampleSeries): SampleSeries {
  const na = a.timestamps.length;
  const nb = b.timestamps.length;
  if (nb === 0) return a;
  if (na === 0) return { ...b, labels: a.labels };
  if (a.timestamps[na - 1] < b.timestamps[0]) return concat(a, b);
  if (b.timestamps[nb - 1] < a.timestamps[0]) return concat(b, a, a.labels);
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
  return { labels: a.labels, timestamps: t.slice(0, n), values: v.slice(0, n) };
}

function concat(first: SampleSeries, second: SampleSeries, labels = first.labels): SampleSeries {
  const t = new Float64Array(first.timestamps.length + second.timestamps.length);
  const v = new Float64Array(t.length);
  t.set(first.timestamps);
  t.set(second.timestamps, first.timestamps.length);
  v.set(first.values);
  v.set(second.values, first.values.length);
  return { labels, timestamps: t, values: v };
}

/**
 * Merges streams of series, each sorted by labels in UTF-8 byte order (the order of a block's
 * index), into one sorted stream; series with equal labels in several streams become one, their
 * samples merged by {@link mergeSamples} (earlier streams win on equal timestamps).
 */
export async function* mergeSeriesStreams(
  streams: ReadonlyArray<AsyncIterator<SampleSeries>>,
): AsyncGenerator<SampleSeries> {
  const heads: Array<SampleSeries | null> = await Promise.all(
    streams.map(async (s) => {
      const r = await s.next();
      return r.done ? null : r.value;
    }),
  );
  for (;;) {
    let min: Labels | null = null;
    for (const h of heads)
      if (h && (min === null || compareLabelsUtf8(h.labels, min) < 0)) min = h.labels;
    if (min === null) return;
    let merged: SampleSeries | null = null;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k];
      if (!h || compareLabelsUtf8(h.labels, min) !== 0) continue;
      merged = merged ? mergeSamples(merged, h) : h;
      const r = await streams[k].next();
      heads[k] = r.done ? null : r.value;
    }
    if (merged) yield merged;
  }
}
