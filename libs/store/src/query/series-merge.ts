import { type Labels, compareLabelsUtf8, mergeSampleArrays } from '@strata/tsdb';

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
  const { timestamps, values } = mergeSampleArrays(a, b);
  return { labels: a.labels, timestamps, values };
}

/**
 * Merges streams of series, each sorted by labels in UTF-8 byte order (the order of a block's
 * index), into one sorted stream; series with equal labels in several streams become one, their
 * samples merged by `merge` ({@link mergeSamples} by default: earlier streams win on equal timestamps).
 */
export async function* mergeSeriesStreams<T extends { labels: Labels } = SampleSeries>(
  streams: ReadonlyArray<AsyncIterator<T>>,
  merge: (earlier: T, later: T) => T = mergeSamples as unknown as (a: T, b: T) => T,
): AsyncGenerator<T> {
  const heads: Array<T | null> = await Promise.all(
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
    let merged: T | null = null;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k];
      if (!h || compareLabelsUtf8(h.labels, min) !== 0) continue;
      merged = merged ? merge(merged, h) : h;
      const r = await streams[k].next();
      heads[k] = r.done ? null : r.value;
    }
    if (merged) yield merged;
  }
}
