import { type Expr } from '../src/parser/ast';

/**
 * Turns a parsed tree into plain JSON comparable with converted Prometheus fixtures: functions
 * become their names and non-finite numbers become `+Inf` / `-Inf` / `NaN` strings.
 */
export function normalizeTree(expr: Expr): unknown {
  return JSON.parse(
    JSON.stringify(expr, (key, value: unknown) => {
      if (key === 'func' && typeof value === 'object' && value !== null && 'name' in value)
        return (value as { name: string }).name;
      if (typeof value === 'number' && !Number.isFinite(value))
        return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
      return value;
    }),
  );
}
