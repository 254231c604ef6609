import { type Checker, type Obj, join } from './config-checker';

/** The fields of a Kubernetes label selector. */
export const SELECTOR_FIELDS = ['matchLabels', 'matchExpressions'];
const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;

/** A string as a quoted matcher value. */
export function quote(v: string): string {
  return JSON.stringify(v);
}

/** A quoted regex matching exactly one of the values. */
export function alternation(values: readonly string[]): string {
  return quote(values.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'));
}

/**
 * A Kubernetes label selector as Alertmanager matchers, all of which must hold (`In` as
 * `=~"a|b"`, `NotIn` as `!~`, `Exists` as `!=""`, `DoesNotExist` as `=""`); problems at their paths.
 */
export function selectorMatchers(c: Checker, raw: unknown, path: string): string[] {
  const o = c.obj(raw, path, SELECTOR_FIELDS);
  const labels = c.obj(
    o.matchLabels,
    join(path, 'matchLabels'),
    Object.keys((o.matchLabels as Obj | undefined) ?? {}),
  );
  const out = Object.entries(labels).map(([k, v]) => `${k}=${quote(String(v))}`);
  c.list(o.matchExpressions, join(path, 'matchExpressions')).forEach((e, i) => {
    const p = join(join(path, 'matchExpressions'), i);
    const x = c.obj(e, p, ['key', 'operator', 'values']);
    const key = c.str(x.key, join(p, 'key')) ?? '';
    if (key === '') c.fail(join(p, 'key'), 'missing key');
    const op = c.str(x.operator, join(p, 'operator'));
    const values = c.list(x.values, join(p, 'values')).map(String);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) c.fail(join(p, 'values'), `${op} needs at least one value`);
      out.push(`${key}${op === 'In' ? '=~' : '!~'}${alternation(values)}`);
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) c.fail(join(p, 'values'), `${op} takes no values`);
      out.push(`${key}${op === 'Exists' ? '!=' : '='}""`);
    } else c.fail(join(p, 'operator'), `operator must be one of ${OPERATORS.join(', ')}`);
  });
  return out;
}

/** Whether an object's labels satisfy a selector (matchLabels and matchExpressions). */
export function selects(selector: Obj, labels: Readonly<Record<string, string>>): boolean {
  const match = (selector.matchLabels ?? {}) as Record<string, unknown>;
  if (!Object.entries(match).every(([k, v]) => labels[k] === String(v))) return false;
  const exprs = (selector.matchExpressions ?? []) as Array<{
    key: string;
    operator: string;
    values?: unknown[];
  }>;
  return exprs.every((e) => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In':
        return has && values.includes(labels[e.key]);
      case 'NotIn':
        return !has || !values.includes(labels[e.key]);
      case 'Exists':
        return has;
      default:
        return !has;
    }
  });
}

/** A mapping of label names to values (`labels`, `matchLabels`), values as strings. */
export function labelMap(c: Checker, raw: unknown, path: string): Record<string, string> {
  const o = c.obj(raw, path, Object.keys((raw as Obj | undefined) ?? {}));
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
}
