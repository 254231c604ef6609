import { type LogRecord } from '@strata/contracts';
import { RE2JS } from 're2js';
import { type CompiledPath, compilePath, getPath, withPath } from '../record-path';
import { recordTransform, type Transform } from './transform';

/** Options every parser shares. */
export interface ParserOptions {
  field?: string;
  target?: string;
  drop_invalid?: boolean;
}

/** A parser from text to an object of fields, or null when the text is not in its format. */
type ParseText = (text: string) => Record<string, unknown> | null;

function parserTransform(options: ParserOptions, parse: ParseText): Transform {
  const from = compilePath(options.field ?? 'line');
  const target: CompiledPath | null = options.target ? compilePath(options.target) : null;
  return recordTransform((record) => {
    const text = getPath(record, from);
    const parsed = typeof text === 'string' ? parse(text) : null;
    if (parsed === null) return options.drop_invalid ? null : record;
    if (target) return withPath(record, target, parsed);
    return { ...record, fields: { ...record.fields, ...parsed } };
  });
}

/** `parse_json`: a JSON object in the text becomes fields; anything else is not JSON here. */
export function parseJsonTransform(options: ParserOptions): Transform {
  return parserTransform(options, (text) => {
    const start = text.trimStart();
    if (!start.startsWith('{')) return null;
    try {
      const v: unknown = JSON.parse(text);
      return v !== null && typeof v === 'object' && !Array.isArray(v)
        ? (v as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  });
}

/** Parses logfmt (`key=value key2="quoted value" flag`) as go-logfmt does; null when nothing parses. */
export function parseLogfmt(text: string): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  let i = 0;
  let found = false;
  const n = text.length;
  while (i < n) {
    while (i < n && text.charCodeAt(i) <= 32) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && text[i] !== '=' && text.charCodeAt(i) > 32 && text[i] !== '"') i++;
    const key = text.slice(keyStart, i);
    if (key === '') return null;
    if (text[i] !== '=') {
      out[key] = true;
      found = true;
      continue;
    }
    i++;
    if (text[i] === '"') {
      let value = '';
      i++;
      let closed = false;
      while (i < n) {
        const c = text[i];
        if (c === '\\' && i + 1 < n) {
          const e = text[i + 1];
          value += e === 'n' ? '\n' : e === 't' ? '\t' : e === 'r' ? '\r' : e;
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      if (!closed) return null;
      out[key] = value;
    } else {
      const vs = i;
      while (i < n && text.charCodeAt(i) > 32) i++;
      out[key] = text.slice(vs, i);
    }
    found = true;
  }
  return found ? out : null;
}

/** `parse_logfmt`: key=value pairs become fields. */
export function parseLogfmtTransform(options: ParserOptions): Transform {
  return parserTransform(options, parseLogfmt);
}

/** Compiles an RE2 pattern; throws with RE2's message when it is refused. */
export function compileRe2(pattern: string): RE2JS {
  return RE2JS.compile(pattern);
}

/** `parse_regex`: the named captures of the first match become fields (RE2 semantics). */
export function parseRegexTransform(options: ParserOptions & { pattern: string }): Transform {
  const re = compileRe2(options.pattern);
  const names = Object.entries(re.namedGroups());
  return parserTransform(options, (text) => {
    const m = re.matcher(text);
    if (!m.find()) return null;
    const out: Record<string, unknown> = {};
    for (const [name, index] of names) {
      const v = m.group(index);
      if (v !== null) out[name] = v;
    }
    return out;
  });
}

/** Nanoseconds since the epoch of an RFC 3339 time with up to nanosecond digits, or null. */
export function rfc3339ToNs(text: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return null;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return null;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return (BigInt(ms) * 1_000_000n + BigInt(frac)).toString();
}

/** A record with its line replaced, for parsers that unwrap a container runtime's envelope. */
export function withLine(record: LogRecord, line: string): LogRecord {
  return { ...record, line };
}
