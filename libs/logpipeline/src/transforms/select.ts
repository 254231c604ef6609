import { type LogRecord } from '@strata/contracts';
import {
  type Condition,
  evaluateCondition,
  type FlatValue,
  parseCondition,
} from '@strata/event-rules';
import { DEFAULT_OUTPUT, type Transform } from './transform';

/** Output of a route that receives what no route matched. */
export const UNMATCHED_OUTPUT = '_unmatched';

/**
 * A record as the events rules language sees it: `line`, `timestamp_ns`, `labels.<name>`, and
 * `fields.<path>` for every nested key, with objects also kept whole at their own path.
 */
export function flattenRecord(record: LogRecord): Map<string, FlatValue> {
  const flat = new Map<string, FlatValue>();
  flat.set('line', record.line);
  flat.set('timestamp_ns', record.timestampNs);
  flat.set('labels', record.labels);
  for (const [k, v] of Object.entries(record.labels)) flat.set(`labels.${k}`, v);
  flattenInto(flat, 'fields', record.fields, 0);
  return flat;
}

function flattenInto(flat: Map<string, FlatValue>, prefix: string, value: unknown, depth: number) {
  flat.set(prefix, value as FlatValue);
  if (depth > 16 || value === null || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>))
    flattenInto(flat, `${prefix}.${k}`, v, depth + 1);
}

/** Parses a condition of the events rules language; throws `ConditionSyntaxError` with its position. */
export function compileCondition(text: string): Condition {
  return parseCondition(text);
}

/** `filter`: keeps the records the condition holds for. */
export function filterTransform(condition: string): Transform {
  const cond = compileCondition(condition);
  return {
    outputs: [],
    apply: (records) =>
      new Map([[DEFAULT_OUTPUT, records.filter((r) => evaluateCondition(cond, flattenRecord(r)))]]),
  };
}

/** `route`: each record goes to every route whose condition holds, or to `_unmatched`. */
export function routeTransform(routes: Record<string, string>): Transform {
  const compiled = Object.entries(routes).map(([name, c]) => [name, compileCondition(c)] as const);
  const outputs = [...compiled.map(([name]) => name), UNMATCHED_OUTPUT];
  return {
    outputs,
    apply: (records) => {
      const out = new Map<string, LogRecord[]>(outputs.map((o) => [o, []]));
      for (const r of records) {
        const flat = flattenRecord(r);
        let matched = false;
        for (const [name, cond] of compiled) {
          if (evaluateCondition(cond, flat)) {
            out.get(name)?.push(r);
            matched = true;
          }
        }
        if (!matched) out.get(UNMATCHED_OUTPUT)?.push(r);
      }
      return out;
    },
  };
}
