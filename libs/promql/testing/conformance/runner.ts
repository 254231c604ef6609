import { type Expr, type VectorSelector } from '../../src/parser/ast';
import { type Annotations } from '../../src/engine/annotations';
import { Engine, type EngineOptions } from '../../src/engine/engine';
import { almostEqual } from '../../src/engine/functions/histogram';
import { type QueryValue } from '../../src/engine/types';
import { compareLabels, type Labels, METRIC_NAME } from '../../src/storage/labels';
import { STALE_NAN } from '@strata/contracts';
import { MemoryQueryable } from '../../src/storage/memory-queryable';
import { matchesAll } from '../../src/storage/queryable';
import { parseScript, type EvalCommand, type Expectation } from './script';
import { AT_MODIFIER_UNSAFE } from '../../src/engine/evaluator';

/** One value of a series description; `histogram` marks a native-histogram value. */
export interface SequenceValue {
  value: number;
  omitted: boolean;
  histogram: boolean;
  /** A staleness marker (the NaN payload may not survive every code path, so it is flagged). */
  stale?: boolean;
}

/** Splits a series line at whitespace outside quotes and braces. */
function splitTokens(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let depth = 0;
  let quote = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== '') {
      cur += c;
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    if (c === '{') depth++;
    if (c === '}') depth--;
    if ((c === ' ' || c === '\t') && depth === 0) {
      if (cur !== '') out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

/**
 * Replaces native-histogram values (`{{...}}`, `{{...}}xN`, `{{...}}+{{...}}xN`) by the same
 * number of omitted samples, so a float-only store keeps the other samples on their timestamps.
 */
export function stripHistogramValues(line: string): { text: string; histograms: boolean } {
  const toks = splitTokens(line);
  let histograms = false;
  const out = toks.map((t, i) => {
    if (i === 0 || !t.includes('{{')) return t;
    histograms = true;
    const m = /\}\}x(\d+)$/.exec(t);
    return m !== null ? `_x${Number(m[1]) + 1}` : '_';
  });
  return { text: out.join(' '), histograms };
}

/** What the runner needs from the PromQL parser. */
export interface ConformanceParser {
  parseExpr(query: string): Expr;
  parseSeriesDesc(desc: string): { labels: Labels; values: SequenceValue[] };
}

/** Outcome of one eval command. */
export interface CaseResult {
  /** Stable identity: `<line>: <query>`. */
  key: string;
  line: number;
  query: string;
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
}

/** Outcome of one test file. */
export interface FileReport {
  file: string;
  cases: CaseResult[];
  passed: number;
  failed: number;
  skipped: number;
}

const EPSILON = 0.000001;
const NATIVE_ONLY_FUNCS = new Set([
  'histogram_count',
  'histogram_sum',
  'histogram_avg',
  'histogram_stddev',
  'histogram_stdvar',
  'info',
]);

class Skip extends Error {}

/** Raised when an eval reads series that also hold native histograms, which this store drops. */
class NativeData extends Skip {}

/** Runs one promqltest script against the engine with an in-memory store. */
export async function runScript(
  file: string,
  text: string,
  parser: ConformanceParser,
  engineOpts: EngineOptions = {},
): Promise<FileReport> {
  const report: FileReport = { file, cases: [], passed: 0, failed: 0, skipped: 0 };
  // Same limits as Prometheus' test engine: experimental functions on, 10,000 samples per query.
  const engine = new Engine({
    enableExperimentalFunctions: true,
    maxSamples: 10_000,
    ...engineOpts,
  });
  const storage = new MemoryQueryable();
  const nativeSeries: Labels[] = [];
  for (const cmd of parseScript(text)) {
    if (cmd.type === 'clear') {
      storage.clear();
      nativeSeries.length = 0;
      continue;
    }
    if (cmd.type === 'load') {
      for (const s of cmd.series) {
        const stripped = stripHistogramValues(s.text);
        const { labels, values } = parser.parseSeriesDesc(stripped.text);
        const name = labels.get(METRIC_NAME);
        if (cmd.withNhcb && name.endsWith('_bucket')) {
          nativeSeries.push(labels.with(METRIC_NAME, name.replace(/_bucket$/, '')).without('le'));
        }
        let t = 0;
        let native = stripped.histograms;
        for (const v of values) {
          if (v.histogram) native = true;
          else if (v.stale === true) storage.append(labels, t, STALE_NAN);
          else if (!v.omitted) storage.append(labels, t, v.value);
          t += cmd.intervalMs;
        }
        if (native) {
          nativeSeries.push(labels);
        }
      }
      continue;
    }
    const res: CaseResult = {
      key: `${cmd.line}: ${cmd.query}`,
      line: cmd.line,
      query: cmd.query,
      status: 'passed',
    };
    try {
      await runEval(cmd, engine, storage, parser, nativeSeries);
    } catch (err) {
      if (err instanceof Skip) {
        res.status = 'skipped';
        res.reason = err.message;
      } else {
        res.status = 'failed';
        res.reason = err instanceof Error ? err.message : String(err);
      }
    }
    report.cases.push(res);
    report[res.status]++;
  }
  return report;
}

function selectors(e: Expr, out: VectorSelector[] = []): VectorSelector[] {
  switch (e.type) {
    case 'VectorSelector':
      out.push(e);
      break;
    case 'MatrixSelector':
      out.push(e.vectorSelector);
      break;
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      selectors(e.expr, out);
      break;
    case 'BinaryExpr':
      selectors(e.lhs, out);
      selectors(e.rhs, out);
      break;
    case 'AggregateExpr':
      selectors(e.expr, out);
      if (e.param) selectors(e.param, out);
      break;
    case 'Call':
      for (const a of e.args) selectors(a, out);
      break;
    case 'NumberLiteral':
    case 'StringLiteral':
      break;
  }
  return out;
}

function calls(e: Expr, out: string[] = []): string[] {
  switch (e.type) {
    case 'Call':
      out.push(e.func.name);
      for (const a of e.args) calls(a, out);
      break;
    case 'MatrixSelector':
    case 'VectorSelector':
    case 'NumberLiteral':
    case 'StringLiteral':
      break;
    case 'SubqueryExpr':
    case 'ParenExpr':
    case 'UnaryExpr':
      calls(e.expr, out);
      break;
    case 'BinaryExpr':
      calls(e.lhs, out);
      calls(e.rhs, out);
      break;
    case 'AggregateExpr':
      calls(e.expr, out);
      if (e.param) calls(e.param, out);
      break;
  }
  return out;
}

function checkSkip(cmd: EvalCommand, expr: Expr, nativeSeries: Labels[]): void {
  if (cmd.series.some((s) => s.text.includes('{{')))
    throw new Skip('expects native histogram values');
  for (const f of calls(expr)) {
    if (NATIVE_ONLY_FUNCS.has(f)) throw new Skip(`uses ${f}(), which needs native histograms`);
  }
  if (nativeSeries.length === 0) return;
  for (const vs of selectors(expr)) {
    for (const n of nativeSeries) {
      if (matchesAll(n, vs.matchers))
        throw new NativeData(`reads native histogram series ${n.toString()}`);
    }
  }
}

async function runEval(
  cmd: EvalCommand,
  engine: Engine,
  storage: MemoryQueryable,
  parser: ConformanceParser,
  nativeSeries: Labels[],
): Promise<void> {
  const expr = parser.parseExpr(cmd.query);
  try {
    checkSkip(cmd, expr, nativeSeries);
  } catch (err) {
    if (!(err instanceof NativeData)) throw err;
    // The float part may still decide the outcome; only an exact match counts as a pass.
    try {
      await evalAndCompare(cmd, expr, engine, storage, parser);
    } catch {
      throw err;
    }
    return;
  }
  await evalAndCompare(cmd, expr, engine, storage, parser);
}

async function evalAndCompare(
  cmd: EvalCommand,
  expr: Expr,
  engine: Engine,
  storage: MemoryQueryable,
  parser: ConformanceParser,
): Promise<void> {
  const expected = cmd.series.map((s, i) => ({ pos: i + 1, ...parser.parseSeriesDesc(s.text) }));
  const isFail = cmd.fail || cmd.expects.some((e) => e.kind === 'fail');
  const isOrdered = cmd.ordered || cmd.expects.some((e) => e.kind === 'ordered');
  if (cmd.isRange) {
    let out;
    try {
      out = await engine.rangeQuery(storage, expr, cmd.startMs, cmd.endMs, cmd.stepMs);
    } catch (err) {
      if (isFail) return checkExpectedFailure(cmd, err);
      throw new Error(`error evaluating query: ${errMsg(err)}`);
    }
    if (isFail) throw new Error('expected error evaluating query but got none');
    checkAnnotations(cmd, out.annotations);
    compareResult(cmd, expected, out.result, isOrdered);
    return;
  }
  const variants: { e: Expr; t: number }[] = [
    { e: expr, t: cmd.startMs },
    ...atModifierVariants(expr, cmd.startMs),
  ];
  for (const v of variants) {
    let out;
    try {
      out = await engine.instantQuery(storage, v.e, v.t);
    } catch (err) {
      if (isFail) {
        checkExpectedFailure(cmd, err);
        continue;
      }
      throw new Error(`error evaluating query at ${v.t}: ${errMsg(err)}`);
    }
    if (isFail) throw new Error('expected error evaluating query but got none');
    checkAnnotations(cmd, out.annotations);
    compareResult(cmd, expected, out.result, isOrdered);
    // String results have no range form.
    if (out.result.type === 'string') continue;
    let rangeOut;
    try {
      rangeOut = await engine.rangeQuery(storage, v.e, v.t - 60000, v.t + 60000, 60000);
    } catch (err) {
      throw new Error(`error evaluating query in range mode: ${errMsg(err)}`);
    }
    if (isOrdered) continue;
    if (rangeOut.result.type !== 'matrix') throw new Error('range query did not return a matrix');
    const mat = rangeOut.result.value;
    for (let i = 1; i < mat.length; i++) {
      if (compareLabels(mat[i - 1].metric, mat[i].metric) > 0)
        throw new Error('matrix results should always be sorted by labels');
    }
    const vec = [];
    for (const s of mat) {
      for (let i = 0; i < s.n; i++) {
        if (s.ts[i] === v.t) {
          vec.push({ metric: s.metric, t: v.t, f: s.vals[i], dropName: false });
          break;
        }
      }
    }
    const asValue: QueryValue =
      out.result.type === 'scalar'
        ? { type: 'scalar', value: { t: v.t, v: vec[0]?.f ?? NaN } }
        : { type: 'vector', value: vec };
    try {
      compareResult(cmd, expected, asValue, isOrdered);
    } catch (err) {
      throw new Error(`range mode: ${errMsg(err)}`);
    }
  }
}

function errMsg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The extra instant queries promqltest runs with `@` pinned to the evaluation time. */
function atModifierVariants(expr: Expr, ts: number): { e: Expr; t: number }[] {
  if (calls(expr).some((f) => AT_MODIFIER_UNSAFE.has(f))) return [];
  const clone = structuredClone(expr);
  const pin = (e: Expr, underAt: boolean): void => {
    switch (e.type) {
      case 'VectorSelector':
        if (!underAt && e.timestampMs === null && e.startOrEnd === null) e.timestampMs = ts;
        return;
      case 'MatrixSelector':
        pin(e.vectorSelector, underAt);
        return;
      case 'SubqueryExpr': {
        if (!underAt && e.timestampMs === null && e.startOrEnd === null) e.timestampMs = ts;
        pin(e.expr, underAt || e.timestampMs !== null || e.startOrEnd !== null);
        return;
      }
      case 'ParenExpr':
      case 'UnaryExpr':
        pin(e.expr, underAt);
        return;
      case 'BinaryExpr':
        pin(e.lhs, underAt);
        pin(e.rhs, underAt);
        return;
      case 'AggregateExpr':
        pin(e.expr, underAt);
        if (e.param) pin(e.param, underAt);
        return;
      case 'Call':
        for (const a of e.args) pin(a, underAt);
        return;
      case 'NumberLiteral':
      case 'StringLiteral':
        return;
    }
  };
  pin(clone, false);
  const times = ts === 0 ? [-1000, 0, 1000] : [-10 * ts, 0, Math.trunc(ts / 5), ts, 10 * ts];
  return times.map((t) => ({ e: clone, t }));
}

function checkExpectedFailure(cmd: EvalCommand, err: unknown): void {
  const msg = errMsg(err);
  if (cmd.expectedFailMessage !== null && cmd.expectedFailMessage !== msg) {
    throw new Error(`expected error "${cmd.expectedFailMessage}", got: ${msg}`);
  }
  if (cmd.expectedFailRegexp !== null && !cmd.expectedFailRegexp.test(msg)) {
    throw new Error(`expected error matching ${String(cmd.expectedFailRegexp)}, got: ${msg}`);
  }
  const f = cmd.expects.find((e) => e.kind === 'fail');
  if (f && !matches(f, msg))
    throw new Error(`expected error matching "${f.message ?? String(f.regex)}", got: ${msg}`);
}

function matches(e: Expectation, s: string): boolean {
  if (e.message !== null) return e.message === s;
  if (e.regex !== null) return e.regex.test(s);
  return true;
}

function checkAnnotations(cmd: EvalCommand, annos: Annotations): void {
  const warnings = annos.warnings;
  const infos = annos.infos;
  if (cmd.warn && warnings.length === 0) throw new Error('expected warnings but got none');
  if (cmd.info && infos.length === 0) throw new Error('expected info annotations but got none');
  const validate = (kind: 'warn' | 'info', actual: string[]): void => {
    const exp = cmd.expects.filter((e) => e.kind === kind);
    if (exp.length === 0) return;
    if (actual.length === 0) throw new Error(`expected ${kind} annotations but none were found`);
    for (const e of exp) {
      if (!actual.some((a) => matches(e, a))) {
        throw new Error(
          `expected ${kind} annotation matching "${e.message ?? String(e.regex)}", found: ${JSON.stringify(annos.list())}`,
        );
      }
    }
    for (const a of actual) {
      if (!exp.some((e) => matches(e, a))) throw new Error(`unexpected ${kind} annotation "${a}"`);
    }
  };
  validate('warn', warnings);
  validate('info', infos);
  if (cmd.expects.some((e) => e.kind === 'no_warn') && warnings.length > 0) {
    throw new Error(`unexpected warning annotations: ${JSON.stringify(warnings)}`);
  }
  if (cmd.expects.some((e) => e.kind === 'no_info') && infos.length > 0) {
    throw new Error(`unexpected info annotations: ${JSON.stringify(infos)}`);
  }
}

interface ExpectedSeries {
  pos: number;
  labels: Labels;
  values: SequenceValue[];
}

function compareResult(
  cmd: EvalCommand,
  expected: ExpectedSeries[],
  result: QueryValue,
  ordered: boolean,
): void {
  const expectScalar = cmd.scalar !== null;
  const byKey = new Map(expected.map((e) => [e.labels.key, e]));
  switch (result.type) {
    case 'matrix': {
      if (ordered) throw new Error('expected ordered result, but query returned a matrix');
      if (expectScalar) throw new Error('expected scalar result, but got matrix');
      const mat = result.value;
      for (let i = 1; i < mat.length; i++) {
        if (compareLabels(mat[i - 1].metric, mat[i].metric) > 0)
          throw new Error('matrix results should always be sorted by labels');
      }
      const seen = new Set<string>();
      for (const s of mat) {
        const exp = byKey.get(s.metric.key);
        if (exp === undefined)
          throw new Error(
            `unexpected metric ${s.metric.toString()} in result, has ${fmtSeries(s.ts, s.vals, s.n)}`,
          );
        seen.add(s.metric.key);
        const points: [number, number][] = [];
        exp.values.forEach((v, i) => {
          const t = cmd.startMs + i * cmd.stepMs;
          if (t > cmd.endMs)
            throw new Error(
              `expected ${exp.values.length} points for ${exp.labels.toString()}, but query time range cannot return this many points`,
            );
          if (!v.omitted) points.push([t, v.value]);
        });
        if (points.length !== s.n) {
          throw new Error(
            `expected ${points.length} float points for ${exp.labels.toString()}, but got ${fmtSeries(s.ts, s.vals, s.n)}`,
          );
        }
        points.forEach(([t, v], i) => {
          if (s.ts[i] !== t)
            throw new Error(
              `expected timestamp ${t} at index ${i} for ${exp.labels.toString()}, got ${s.ts[i]}`,
            );
          if (!almostEqual(s.vals[i], v, EPSILON)) {
            throw new Error(
              `expected ${v} at t=${t} for ${exp.labels.toString()}, got ${s.vals[i]} (${fmtSeries(s.ts, s.vals, s.n)})`,
            );
          }
        });
      }
      for (const e of expected)
        if (!seen.has(e.labels.key))
          throw new Error(`expected metric ${e.labels.toString()} not found`);
      return;
    }
    case 'vector': {
      if (expectScalar) throw new Error('expected scalar result, but got vector');
      const seen = new Set<string>();
      result.value.forEach((smp, i) => {
        const exp = byKey.get(smp.metric.key);
        if (exp === undefined)
          throw new Error(
            `unexpected metric ${smp.metric.toString()} in result, has value ${smp.f}`,
          );
        if (ordered && exp.pos !== i + 1)
          throw new Error(
            `expected metric ${smp.metric.toString()} at position ${exp.pos} but was at ${i + 1}`,
          );
        const v = exp.values[0];
        if (!almostEqual(v.value, smp.f, EPSILON))
          throw new Error(`expected ${v.value} for ${smp.metric.toString()} but got ${smp.f}`);
        seen.add(smp.metric.key);
      });
      for (const e of expected)
        if (!seen.has(e.labels.key))
          throw new Error(`expected metric ${e.labels.toString()} not found`);
      return;
    }
    case 'scalar':
      if (!expectScalar)
        throw new Error(`expected vector or matrix result, but got scalar ${result.value.v}`);
      if (!almostEqual(cmd.scalar as number, result.value.v, EPSILON)) {
        throw new Error(`expected scalar ${cmd.scalar} but got ${result.value.v}`);
      }
      return;
    case 'string':
      if (cmd.string === null) throw new Error(`unexpected string result "${result.value.v}"`);
      if (cmd.string !== result.value.v)
        throw new Error(`expected string "${cmd.string}" but got "${result.value.v}"`);
      return;
  }
}

function fmtSeries(ts: Float64Array, vs: Float64Array, n: number): string {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`${vs[i]} @[${ts[i]}]`);
  return `${n} float points [${parts.join(' ')}]`;
}
