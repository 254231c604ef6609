import { type AggregateOp, type FunctionSignature, type ValueType } from './ast';

function fn(
  name: string,
  argTypes: ValueType[],
  returnType: ValueType,
  variadic: number,
  experimental = false,
): FunctionSignature {
  return experimental
    ? { name, argTypes, variadic, returnType, experimental }
    : { name, argTypes, variadic, returnType };
}

/**
 * Every PromQL function of Prometheus 3.5 (`promql/parser/functions.go`), keyed by name.
 * Entries are frozen because parsed `Call` nodes share them.
 */
export const FUNCTIONS: ReadonlyMap<string, Readonly<FunctionSignature>> = new Map(
  [
    fn('abs', ['vector'], 'vector', 0),
    fn('absent', ['vector'], 'vector', 0),
    fn('absent_over_time', ['matrix'], 'vector', 0),
    fn('acos', ['vector'], 'vector', 0),
    fn('acosh', ['vector'], 'vector', 0),
    fn('asin', ['vector'], 'vector', 0),
    fn('asinh', ['vector'], 'vector', 0),
    fn('atan', ['vector'], 'vector', 0),
    fn('atanh', ['vector'], 'vector', 0),
    fn('avg_over_time', ['matrix'], 'vector', 0),
    fn('ceil', ['vector'], 'vector', 0),
    fn('changes', ['matrix'], 'vector', 0),
    fn('clamp', ['vector', 'scalar', 'scalar'], 'vector', 0),
    fn('clamp_max', ['vector', 'scalar'], 'vector', 0),
    fn('clamp_min', ['vector', 'scalar'], 'vector', 0),
    fn('cos', ['vector'], 'vector', 0),
    fn('cosh', ['vector'], 'vector', 0),
    fn('count_over_time', ['matrix'], 'vector', 0),
    fn('days_in_month', ['vector'], 'vector', 1),
    fn('day_of_month', ['vector'], 'vector', 1),
    fn('day_of_week', ['vector'], 'vector', 1),
    fn('day_of_year', ['vector'], 'vector', 1),
    fn('deg', ['vector'], 'vector', 0),
    fn('delta', ['matrix'], 'vector', 0),
    fn('deriv', ['matrix'], 'vector', 0),
    fn('exp', ['vector'], 'vector', 0),
    fn('floor', ['vector'], 'vector', 0),
    fn('histogram_avg', ['vector'], 'vector', 0),
    fn('histogram_count', ['vector'], 'vector', 0),
    fn('histogram_sum', ['vector'], 'vector', 0),
    fn('histogram_stddev', ['vector'], 'vector', 0),
    fn('histogram_stdvar', ['vector'], 'vector', 0),
    fn('histogram_fraction', ['scalar', 'scalar', 'vector'], 'vector', 0),
    fn('histogram_quantile', ['scalar', 'vector'], 'vector', 0),
    fn('double_exponential_smoothing', ['matrix', 'scalar', 'scalar'], 'vector', 0, true),
    fn('hour', ['vector'], 'vector', 1),
    fn('idelta', ['matrix'], 'vector', 0),
    fn('increase', ['matrix'], 'vector', 0),
    fn('info', ['vector', 'vector'], 'vector', 1, true),
    fn('irate', ['matrix'], 'vector', 0),
    fn('label_replace', ['vector', 'string', 'string', 'string', 'string'], 'vector', 0),
    fn('label_join', ['vector', 'string', 'string', 'string'], 'vector', -1),
    fn('last_over_time', ['matrix'], 'vector', 0),
    fn('ln', ['vector'], 'vector', 0),
    fn('log10', ['vector'], 'vector', 0),
    fn('log2', ['vector'], 'vector', 0),
    fn('mad_over_time', ['matrix'], 'vector', 0, true),
    fn('max_over_time', ['matrix'], 'vector', 0),
    fn('min_over_time', ['matrix'], 'vector', 0),
    fn('ts_of_max_over_time', ['matrix'], 'vector', 0, true),
    fn('ts_of_min_over_time', ['matrix'], 'vector', 0, true),
    fn('ts_of_last_over_time', ['matrix'], 'vector', 0, true),
    fn('minute', ['vector'], 'vector', 1),
    fn('month', ['vector'], 'vector', 1),
    fn('pi', [], 'scalar', 0),
    fn('predict_linear', ['matrix', 'scalar'], 'vector', 0),
    fn('present_over_time', ['matrix'], 'vector', 0),
    fn('quantile_over_time', ['scalar', 'matrix'], 'vector', 0),
    fn('rad', ['vector'], 'vector', 0),
    fn('rate', ['matrix'], 'vector', 0),
    fn('resets', ['matrix'], 'vector', 0),
    fn('round', ['vector', 'scalar'], 'vector', 1),
    fn('scalar', ['vector'], 'scalar', 0),
    fn('sgn', ['vector'], 'vector', 0),
    fn('sin', ['vector'], 'vector', 0),
    fn('sinh', ['vector'], 'vector', 0),
    fn('sort', ['vector'], 'vector', 0),
    fn('sort_desc', ['vector'], 'vector', 0),
    fn('sort_by_label', ['vector', 'string'], 'vector', -1, true),
    fn('sort_by_label_desc', ['vector', 'string'], 'vector', -1, true),
    fn('sqrt', ['vector'], 'vector', 0),
    fn('stddev_over_time', ['matrix'], 'vector', 0),
    fn('stdvar_over_time', ['matrix'], 'vector', 0),
    fn('sum_over_time', ['matrix'], 'vector', 0),
    fn('tan', ['vector'], 'vector', 0),
    fn('tanh', ['vector'], 'vector', 0),
    fn('time', [], 'scalar', 0),
    fn('timestamp', ['vector'], 'vector', 0),
    fn('vector', ['scalar'], 'vector', 0),
    fn('year', ['vector'], 'vector', 1),
  ].map((f) => [f.name, Object.freeze(f)] as const),
);

/** Looks up a function signature by its exact (case-sensitive) name. */
export function getFunction(name: string): Readonly<FunctionSignature> | undefined {
  return FUNCTIONS.get(name);
}

/** Aggregations whose first argument is a parameter (`topk(3, x)`). */
export const AGGREGATORS_WITH_PARAM: ReadonlySet<AggregateOp> = new Set<AggregateOp>([
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'limitk',
  'limit_ratio',
]);

/** Aggregations that Prometheus 3.5 only accepts with experimental functions enabled. */
export const EXPERIMENTAL_AGGREGATORS: ReadonlySet<AggregateOp> = new Set<AggregateOp>([
  'limitk',
  'limit_ratio',
]);
