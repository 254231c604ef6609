import { parseDuration } from '@strata/promql';
import { type ConfigProblem } from './config-errors';

/** A YAML mapping being checked. */
export type Obj = Record<string, unknown>;

/** Collects problems while walking the YAML, so one upload reports all of them. */
export class Checker {
  readonly problems: ConfigProblem[] = [];
  fail(path: string, reason: string): void {
    this.problems.push({ path, reason });
  }
  obj(v: unknown, path: string, fields: readonly string[]): Obj {
    if (v === undefined || v === null) return {};
    if (typeof v !== 'object' || Array.isArray(v)) {
      this.fail(path, 'must be a mapping');
      return {};
    }
    for (const k of Object.keys(v))
      if (!fields.includes(k)) this.fail(join(path, k), 'field not found');
    return v as Obj;
  }
  list(v: unknown, path: string): unknown[] {
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.fail(path, 'must be a list');
      return [];
    }
    return v;
  }
  str(v: unknown, path: string): string | undefined {
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') {
      this.fail(path, 'must be a string');
      return undefined;
    }
    return v;
  }
  bool(v: unknown, path: string, dflt: boolean): boolean {
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') {
      this.fail(path, 'must be a boolean');
      return dflt;
    }
    return v;
  }
  duration(v: unknown, path: string): number | undefined {
    const s = this.str(v, path);
    if (s === undefined) return undefined;
    try {
      return parseDuration(s);
    } catch {
      this.fail(path, `not a valid duration string: ${JSON.stringify(s)}`);
      return undefined;
    }
  }
}

/** Extends a dotted path with a key or an index. */
export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}
