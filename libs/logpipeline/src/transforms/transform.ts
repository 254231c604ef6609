import { type LogRecord } from '@strata/contracts';
import { type HeldEvent } from '../held-events';
import { type LogAlertCounts } from '../log-alerts';
import { type LogMetricCounts } from '../log-metrics';

/** The default output of a transform; a route's named outputs are the others. */
export const DEFAULT_OUTPUT = '';

/** What a transform may use besides the records: the clock and the pipeline's counters. */
export interface TransformContext {
  nowMs: number;
  metrics: LogMetricCounts;
  alerts: LogAlertCounts;
  /** This transform's unfinished events kept from earlier batches, by group. */
  held: Map<string, HeldEvent>;
  /** False when nothing may wait for a later batch (no place keeps held events). */
  hold: boolean;
}

/** One compiled transform: records in, records out per output name. */
export interface Transform {
  /** Output names other than the default one (a route's routes and `_unmatched`). */
  readonly outputs: readonly string[];
  /** True when it holds unfinished events between batches: it runs even without input, to release them. */
  readonly holds?: boolean;
  apply(records: readonly LogRecord[], ctx: TransformContext): Map<string, LogRecord[]>;
}

/** A transform with only the default output, from a function of the records. */
export function simpleTransform(
  fn: (records: readonly LogRecord[], ctx: TransformContext) => LogRecord[],
): Transform {
  return {
    outputs: [],
    apply: (records, ctx) => new Map([[DEFAULT_OUTPUT, fn(records, ctx)]]),
  };
}

/** A transform that maps each record to one record or none. */
export function recordTransform(
  fn: (record: LogRecord, ctx: TransformContext) => LogRecord | null,
): Transform {
  return simpleTransform((records, ctx) => {
    const out: LogRecord[] = [];
    for (const r of records) {
      const next = fn(r, ctx);
      if (next !== null) out.push(next);
    }
    return out;
  });
}
