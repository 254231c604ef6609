import { type Expr } from '../parser/ast';
import { Labels } from '../storage/labels';
import { type ConformanceParser, type SequenceValue } from './runner';

type AnyFn = (...args: unknown[]) => unknown;

function toLabels(raw: unknown): Labels {
  if (raw instanceof Labels) return raw;
  if (raw instanceof Map) return Labels.fromMap(raw as Map<string, string>);
  if (Array.isArray(raw)) {
    return Labels.fromPairs(
      raw.map((p: unknown) => {
        if (Array.isArray(p)) return [String(p[0]), String(p[1])] as const;
        const o = p as { name: string; value: string };
        return [o.name, o.value] as const;
      }),
    );
  }
  if (raw !== null && typeof raw === 'object') {
    const o = raw as { toRecord?: () => Record<string, string> };
    if (typeof o.toRecord === 'function') return Labels.fromRecord(o.toRecord());
    return Labels.fromRecord(raw as Record<string, string>);
  }
  throw new Error('unrecognised label set from parseSeriesDesc');
}

function toValue(raw: unknown): SequenceValue {
  if (typeof raw === 'number') return { value: raw, omitted: false, histogram: false };
  const o = raw as { value?: number; v?: number; omitted?: boolean; histogram?: unknown; stale?: boolean };
  return {
    value: o.value ?? o.v ?? NaN,
    omitted: o.omitted === true,
    histogram: o.histogram !== undefined && o.histogram !== null,
    stale: o.stale === true,
  };
}

/**
 * Wraps the parser module's `parseExpr` / `parseSeriesDesc` for the runner, tolerating the
 * result shapes a series-description parser may reasonably return.
 */
export function adaptParser(mod: Record<string, unknown>): ConformanceParser | null {
  const parseExpr = mod['parseExpr'] as AnyFn | undefined;
  const parseSeriesDesc = mod['parseSeriesDesc'] as AnyFn | undefined;
  if (typeof parseExpr !== 'function' || typeof parseSeriesDesc !== 'function') return null;
  return {
    // promqltest enables experimental functions for the whole suite.
    parseExpr: (q) => parseExpr(q, { enableExperimentalFunctions: true }) as Expr,
    parseSeriesDesc: (desc) => {
      const r = parseSeriesDesc(desc) as Record<string, unknown> | unknown[];
      const [lbls, vals] = Array.isArray(r)
        ? [r[0], r[1]]
        : [r['labels'] ?? r['metric'] ?? r['lset'], r['values'] ?? r['vals'] ?? r['samples']];
      return { labels: toLabels(lbls), values: (vals as unknown[]).map(toValue) };
    },
  };
}
