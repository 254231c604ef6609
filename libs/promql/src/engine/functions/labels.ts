import { type PromRegex, type PromRegexMatch } from '@strata/prom-regex';
import { type Call, type StringLiteral, unwrapParens } from '../../parser/ast';
import { compileLabelRegex } from '../../storage/queryable';
import { Labels, METRIC_NAME } from '../../storage/labels';
import { EvalError } from '../errors';
import { type StepEvaluator } from '../eval-context';
import { type Matrix } from '../types';

/**
 * Prometheus 3 accepts any non-empty UTF-8 label name; the parser flags literals whose escapes
 * produced invalid UTF-8.
 */
export function isValidLabelName(lit: StringLiteral): boolean {
  return lit.value !== '' && (lit as { invalidUtf8?: boolean }).invalidUtf8 !== true;
}

function stringLiteralArg(call: Call, i: number): StringLiteral {
  const a = unwrapParens(call.args[i]);
  if (a.type !== 'StringLiteral')
    throw new EvalError(`expected string literal as argument ${i + 1} of ${call.func.name}()`);
  return a;
}

/** The literal value of a string argument. */
export function stringArg(call: Call, i: number): string {
  return stringLiteralArg(call, i).value;
}

function ensureUnique(m: Matrix): Matrix {
  const seen = new Set<string>();
  for (const s of m) {
    const k = s.metric.key;
    if (seen.has(k)) throw new EvalError('vector cannot contain metrics with the same labelset');
    seen.add(k);
  }
  return m;
}

/** Expands `$1`, `${name}` and `$$` in a replacement string from regex match groups, as Go's Regexp.Expand. */
function expandTemplate(template: string, m: PromRegexMatch): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template[i];
    if (ch !== '$' || i + 1 >= template.length) {
      out += ch;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      if (close < 0) {
        out += ch;
        continue;
      }
      name = template.slice(i + 2, close);
      end = close;
    } else {
      const mm = /^[a-zA-Z0-9_]+/.exec(template.slice(i + 1));
      if (mm === null) {
        out += ch;
        continue;
      }
      name = mm[0];
      end = i + name.length;
    }
    if (/^[0-9]+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
    i = end;
  }
  return out;
}

/** label_replace(v, dst, replacement, src, regex): rewrites labels per series. */
export function evalLabelReplace(ev: StepEvaluator, call: Call): Matrix {
  const dst = stringArg(call, 1);
  const repl = stringArg(call, 2);
  const src = stringArg(call, 3);
  const regexStr = stringArg(call, 4);
  let re: PromRegex;
  try {
    re = compileLabelRegex(regexStr);
  } catch {
    throw new EvalError(`invalid regular expression in label_replace(): ${regexStr}`);
  }
  if (!isValidLabelName(stringLiteralArg(call, 1))) {
    throw new EvalError(`invalid destination label name in label_replace(): ${dst}`);
  }
  const m = ev.evalMatrix(call.args[0]);
  const out = m.map((s) => {
    const srcVal = s.metric.get(src);
    const match = re.exec(srcVal);
    if (match === null) return s;
    const res = expandTemplate(repl, match);
    return {
      ...s,
      metric: s.metric.with(dst, res),
      dropName: dst === METRIC_NAME ? false : s.dropName,
    };
  });
  return ensureUnique(out);
}

/** label_join(v, dst, sep, src...): joins source label values into a destination label. */
export function evalLabelJoin(ev: StepEvaluator, call: Call): Matrix {
  const dst = stringArg(call, 1);
  const sep = stringArg(call, 2);
  const srcs: string[] = [];
  for (let i = 3; i < call.args.length; i++) {
    const src = stringLiteralArg(call, i);
    if (!isValidLabelName(src))
      throw new EvalError(`invalid source label name in label_join(): ${src.value}`);
    srcs.push(src.value);
  }
  if (!isValidLabelName(stringLiteralArg(call, 1))) {
    throw new EvalError(`invalid destination label name in label_join(): ${dst}`);
  }
  const m = ev.evalMatrix(call.args[0]);
  const out = m.map((s) => {
    const v = srcs.map((n) => s.metric.get(n)).join(sep);
    return {
      ...s,
      metric: s.metric.with(dst, v),
      dropName: dst === METRIC_NAME ? false : s.dropName,
    };
  });
  return ensureUnique(out);
}

/** Labels for absent()/absent_over_time(): the equality matchers that pin a single value. */
export function absentLabelsFrom(
  matchers: ReadonlyArray<{ name: string; op: string; value: string }>,
): Labels {
  const m = new Map<string, string>();
  const has = new Set<string>();
  for (const ma of matchers) {
    if (ma.name === METRIC_NAME) continue;
    if (ma.op === '=' && !has.has(ma.name)) {
      m.set(ma.name, ma.value);
      has.add(ma.name);
    } else {
      m.delete(ma.name);
    }
  }
  return Labels.fromMap(m);
}
