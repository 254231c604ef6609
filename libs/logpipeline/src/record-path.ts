import { type LogRecord } from '@strata/contracts';

/** A record path split once: where it points and the keys below that. */
export type CompiledPath =
  { kind: 'line' } | { kind: 'label'; name: string } | { kind: 'field'; keys: string[] };

/** Splits a checked `RecordPath` (`line`, `labels.<name>`, `fields.<a.b>`). */
export function compilePath(path: string): CompiledPath {
  if (path === 'line') return { kind: 'line' };
  if (path.startsWith('labels.')) return { kind: 'label', name: path.slice('labels.'.length) };
  return { kind: 'field', keys: path.slice('fields.'.length).split('.') };
}

/** The value at `path`, or undefined. */
export function getPath(record: LogRecord, path: CompiledPath): unknown {
  switch (path.kind) {
    case 'line':
      return record.line;
    case 'label':
      return record.labels[path.name];
    case 'field': {
      let at: unknown = record.fields;
      for (const key of path.keys) {
        if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined;
        at = (at as Record<string, unknown>)[key];
      }
      return at;
    }
  }
}

/** The value at `path` as text: strings as they are, other values as JSON, absent as ''. */
export function getText(record: LogRecord, path: CompiledPath): string {
  const v = getPath(record, path);
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A copy of `record` with `value` at `path` (undefined deletes it). Objects on the way are copied,
 * so records shared by two branches of a pipeline never see each other's changes.
 */
export function withPath(record: LogRecord, path: CompiledPath, value: unknown): LogRecord {
  switch (path.kind) {
    case 'line':
      return { ...record, line: value === undefined ? '' : textOf(value) };
    case 'label': {
      const labels = { ...record.labels };
      if (value === undefined) delete labels[path.name];
      else labels[path.name] = textOf(value);
      return { ...record, labels };
    }
    case 'field':
      return { ...record, fields: setIn(record.fields, path.keys, 0, value) };
  }
}

function setIn(
  obj: Record<string, unknown>,
  keys: string[],
  i: number,
  value: unknown,
): Record<string, unknown> {
  const copy = { ...obj };
  const key = keys[i];
  if (i === keys.length - 1) {
    if (value === undefined) delete copy[key];
    else copy[key] = value;
    return copy;
  }
  const next = copy[key];
  const child =
    next !== null && typeof next === 'object' && !Array.isArray(next)
      ? (next as Record<string, unknown>)
      : {};
  copy[key] = setIn(child, keys, i + 1, value);
  return copy;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
