import { type LogRecord } from '@strata/contracts';
import { type CompiledPath, compilePath, getPath, getText, withPath } from '../record-path';
import { compileRe2 } from './parsers';
import { recordTransform, type Transform } from './transform';

const REFERENCE = /\$\{([^}]+)\}/g;

/** Options of `remap`. */
export interface RemapOptions {
  set?: Record<string, string>;
  rename?: Record<string, string>;
  delete?: string[];
}

/** `remap`: sets (with `${path}` references), renames and deletes values, labels included. */
export function remapTransform(options: RemapOptions): Transform {
  const sets = Object.entries(options.set ?? {}).map(([path, template]) => {
    const refs = [...template.matchAll(REFERENCE)].map((m) => m[1]);
    const compiled = new Map(refs.map((r) => [r, compilePath(r)]));
    return { path: compilePath(path), template, compiled };
  });
  const renames = Object.entries(options.rename ?? {}).map(([from, to]) => ({
    from: compilePath(from),
    to: compilePath(to),
  }));
  const deletes = (options.delete ?? []).map(compilePath);
  return recordTransform((record) => {
    let r: LogRecord = record;
    for (const s of sets) {
      const value =
        s.compiled.size === 0
          ? s.template
          : s.template.replace(REFERENCE, (_, ref: string) =>
              getText(record, s.compiled.get(ref) as CompiledPath),
            );
      r = withPath(r, s.path, value);
    }
    for (const { from, to } of renames) {
      const v = getPath(r, from);
      if (v === undefined) continue;
      r = withPath(withPath(r, from, undefined), to, v);
    }
    for (const path of deletes) r = withPath(r, path, undefined);
    return r;
  });
}

/** Options of `redact`. */
export interface RedactOptions {
  fields?: string[];
  patterns?: string[];
  replacement?: string;
}

/** `redact`: whole values of the named paths, and pattern matches in the line and every string field. */
export function redactTransform(options: RedactOptions): Transform {
  const replacement = options.replacement ?? '[REDACTED]';
  const fields = (options.fields ?? []).map(compilePath);
  const patterns = (options.patterns ?? []).map(compileRe2);
  const scrub = (text: string) => {
    let t = text;
    for (const re of patterns) t = re.matcher(t).replaceAll(() => replacement);
    return t;
  };
  const scrubValue = (v: unknown): unknown => {
    if (typeof v === 'string') return scrub(v);
    if (Array.isArray(v)) return v.map(scrubValue);
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubValue(x)]));
    return v;
  };
  return recordTransform((record) => {
    let r = record;
    for (const path of fields)
      if (getPath(r, path) !== undefined) r = withPath(r, path, replacement);
    if (patterns.length > 0)
      r = {
        ...r,
        line: scrub(r.line),
        fields: scrubValue(r.fields) as Record<string, unknown>,
      };
    return r;
  });
}
