import { type QuotaSpec, type SampleRefusalReason } from '@strata/contracts';
import { type DecodedSeries, type IngestSeriesInput } from '@strata/remote-write';

/** The sample timestamps a tenant's write may carry, inclusive bounds in ms since epoch. */
export interface SampleWindow {
  readonly from: number;
  readonly until: number;
}

/** Samples refused for falling outside a write's {@link SampleWindow}, by reason. */
export type WindowRefusals = Record<SampleRefusalReason, number>;

/** No refusal yet. */
export function noRefusals(): WindowRefusals {
  return { sample_too_far_in_future: 0, sample_too_old: 0 };
}

/**
 * The window of a tenant's write at `now`: up to `creationGracePeriodSeconds` ahead (0: no
 * bound), and back to `pastGracePeriodSeconds` but never beyond the heads' retention, since an
 * older sample would be truncated away after the 204 (0: the retention itself).
 */
export function sampleWindow(
  now: number,
  quota: Pick<QuotaSpec, 'creationGracePeriodSeconds' | 'pastGracePeriodSeconds'>,
  retentionSeconds: number,
): SampleWindow {
  const past =
    quota.pastGracePeriodSeconds > 0
      ? Math.min(quota.pastGracePeriodSeconds, retentionSeconds)
      : retentionSeconds;
  return {
    from: now - past * 1000,
    until:
      quota.creationGracePeriodSeconds > 0
        ? now + quota.creationGracePeriodSeconds * 1000
        : Infinity,
  };
}

/**
 * The series with only its samples inside `window`, counting the others in `refused`; the series
 * itself when every sample is inside (the common case allocates nothing), null when nothing of it
 * is left to store (no sample and no exemplar).
 */
export function keepWithin(
  series: DecodedSeries,
  window: SampleWindow,
  refused: WindowRefusals,
): IngestSeriesInput | null {
  const ts = series.timestamps;
  let outside = 0;
  for (let i = 0; i < ts.length; i++) if (ts[i] < window.from || ts[i] > window.until) outside++;
  if (outside === 0) return series;
  const n = ts.length - outside;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  let k = 0;
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i];
    if (t > window.until) refused.sample_too_far_in_future++;
    else if (t < window.from) refused.sample_too_old++;
    else {
      timestamps[k] = t;
      values[k++] = series.values[i];
    }
  }
  if (n === 0 && series.exemplars.length === 0) return null;
  return {
    buf: series.buf,
    start: series.start,
    end: series.end,
    hash: series.hash,
    timestamps,
    values,
    exemplars: series.exemplars,
    ...(series.createdTimestamp !== undefined ? { createdTimestamp: series.createdTimestamp } : {}),
  };
}
