import { isStaleNaN } from '@strata/contracts';
import { type WriteBatch } from '../src/types';

/** A batch as plain data for deep equality in specs: arrays for samples, NaNs named. */
export function plainBatch(b: WriteBatch): unknown {
  return {
    series: b.series.map((s) => ({
      labels: s.labels,
      timestamps: [...s.timestamps],
      values: [...s.values].map((v) => (isStaleNaN(v) ? 'stale' : Number.isNaN(v) ? 'NaN' : v)),
      exemplars: s.exemplars,
      metadata: s.metadata,
      createdTimestamp: s.createdTimestamp,
    })),
    metadata: b.metadata,
  };
}
