import { type LogRecord } from '@strata/contracts';
import { LogInputError } from '../errors';
import { checkLine, type LineRules, nsFromMs } from '../records';

/**
 * Records of Strata's plain HTTP source: a JSON array of entries, one entry, or NDJSON (one entry
 * per line). An entry is `{"line": "...", "timestamp"?: ..., "labels"?: {...}, "fields"?: {...}}`
 * (`message` or `msg` stand for `line`; any other key is a field). `timestamp` is RFC 3339, epoch
 * milliseconds as a number, or epoch nanoseconds as a decimal string. The first bad entry refuses
 * the whole body.
 */
export function parseJsonLines(text: string, rules: LineRules, nowMs: number): LogRecord[] {
  const trimmed = text.trimStart();
  const entries: Array<{ value: unknown; where: string }> = [];
  if (trimmed.startsWith('[')) {
    const all = parse(text, 'body');
    if (!Array.isArray(all)) throw new LogInputError('malformed', 'body', 'expected an array');
    all.forEach((value, i) => entries.push({ value, where: `entry ${i}` }));
  } else {
    text.split('\n').forEach((line, i) => {
      if (line.trim() !== '')
        entries.push({ value: parse(line, `line ${i + 1}`), where: `line ${i + 1}` });
    });
  }
  return entries.map(({ value, where }) => toRecord(value, where, rules, nowMs));
}

function parse(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new LogInputError('malformed', where, `not JSON: ${(cause as Error).message}`, { cause });
  }
}

function toRecord(value: unknown, where: string, rules: LineRules, nowMs: number): LogRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new LogInputError('malformed', where, 'an entry must be a JSON object');
  const { line, message, msg, timestamp, labels, fields, ...rest } = value as Record<
    string,
    unknown
  >;
  const text = line ?? message ?? msg;
  if (typeof text !== 'string')
    throw new LogInputError('malformed', where, 'needs a string "line" (or "message")');
  checkLine(text, rules, where);
  const labelMap: Record<string, string> = {};
  if (labels !== undefined) {
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels))
      throw new LogInputError('malformed', `${where}.labels`, 'expected an object of strings');
    for (const [k, v] of Object.entries(labels)) {
      if (typeof v !== 'string' || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(k))
        throw new LogInputError(
          'malformed',
          `${where}.labels.${k}`,
          'label names are [a-zA-Z_][a-zA-Z0-9_]* with string values',
        );
      labelMap[k] = v;
    }
  }
  if (
    fields !== undefined &&
    (typeof fields !== 'object' || fields === null || Array.isArray(fields))
  )
    throw new LogInputError('malformed', `${where}.fields`, 'expected an object');
  return {
    timestampNs: timestampOf(timestamp, where, nowMs),
    line: text,
    labels: labelMap,
    fields: { ...rest, ...(fields as Record<string, unknown> | undefined) },
  };
}

function timestampOf(value: unknown, where: string, nowMs: number): string {
  if (value === undefined || value === null) return nsFromMs(nowMs);
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return nsFromMs(value);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) return value.replace(/^0+(?=\d)/, '');
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    if (Number.isFinite(ms) && ms >= 0) return nsFromMs(ms);
  }
  throw new LogInputError(
    'malformed',
    `${where}.timestamp`,
    'expected RFC 3339, epoch ms or a string of epoch ns',
  );
}
