import { type Engine, Labels, type Queryable } from '@strata/promql';
import { RuleEvaluationError } from '../errors';

/** One element of an instant vector as rules see it. */
export interface RuleSample {
  labels: Labels;
  value: number;
}

/**
 * Runs an instant query at a time (ms) and returns its vector; what the rules library asks of the
 * query path, so a group can be evaluated against any engine or remote query service.
 */
export type QueryFunc = (expr: string, timeMs: number) => Promise<RuleSample[]>;

/**
 * A {@link QueryFunc} over the project's PromQL engine, shaped like Prometheus' `EngineQueryFunc`:
 * a scalar becomes one sample without labels, a string or matrix is an error.
 */
export function engineQueryFunc(engine: Engine, queryable: Queryable): QueryFunc {
  return async (expr, timeMs) => {
    const { result } = await engine.instantQuery(queryable, expr, timeMs);
    switch (result.type) {
      case 'vector':
        return result.value.map((s) => ({ labels: s.metric, value: s.f }));
      case 'scalar':
        return [{ labels: Labels.EMPTY, value: result.value.v }];
      case 'string':
      case 'matrix':
        throw new RuleEvaluationError('rule result is not a vector or scalar');
    }
  };
}
