/** What a selector reads from downsampled blocks: one stored aggregate, or `avg` from sum and count. */
export type SelectedAggregate = 'count' | 'sum' | 'min' | 'max' | 'counter' | 'avg';

/**
 * The aggregate the function around a selector needs, as Thanos' querier picks it
 * (`aggrsFromFunc`): `min*`/`max*`/`count*` their own, `sum_*` the sum, counter functions the
 * counter with resets applied, anything else (and a bare selector or `sum`) the average.
 */
export function aggregateForFunc(func: string | undefined): SelectedAggregate {
  const f = func ?? '';
  if (f === 'min' || f.startsWith('min_')) return 'min';
  if (f === 'max' || f.startsWith('max_')) return 'max';
  if (f === 'count' || f.startsWith('count_')) return 'count';
  if (f.startsWith('sum_')) return 'sum';
  if (f === 'increase' || f === 'rate' || f === 'irate' || f === 'resets') return 'counter';
  return 'avg';
}
