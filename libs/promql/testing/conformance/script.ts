/** Parsing of Prometheus' promqltest script format (commands, expectations); values are parsed by the caller's series parser. */

/** One `expect` line. */
export interface Expectation {
  kind: 'fail' | 'ordered' | 'warn' | 'no_warn' | 'info' | 'no_info';
  /** Exact message (msg:) or null. */
  message: string | null;
  /** Pattern (regex:), or null; absent both means "any". */
  regex: RegExp | null;
}

/** A `load` command. */
export interface LoadCommand {
  type: 'load';
  line: number;
  intervalMs: number;
  withNhcb: boolean;
  series: { line: number; text: string }[];
}

/** A `clear` command. */
export interface ClearCommand {
  type: 'clear';
  line: number;
}

/** An `eval` command with its expectations and expected result lines. */
export interface EvalCommand {
  type: 'eval';
  line: number;
  query: string;
  isRange: boolean;
  startMs: number;
  endMs: number;
  stepMs: number;
  fail: boolean;
  warn: boolean;
  info: boolean;
  ordered: boolean;
  expectedFailMessage: string | null;
  expectedFailRegexp: RegExp | null;
  expects: Expectation[];
  /** Expected scalar value line, if the result is a scalar. */
  scalar: number | null;
  /** Expected string result from an `expect string "..."` line (newer promqltest format). */
  string: string | null;
  /** Expected series lines in order (position = index + 1). */
  series: { line: number; text: string }[];
}

/** Any command. */
export type Command = LoadCommand | ClearCommand | EvalCommand;

const PAT_LOAD = /^load(?:_(with_nhcb))?\s+(.+?)$/;
const PAT_EVAL_INSTANT = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const PAT_EVAL_RANGE =
  /^eval(?:_(fail|warn|info))?\s+range\s+from\s+(.+)\s+to\s+(.+)\s+step\s+(.+?)\s+(.+)$/;
const PAT_EXPECT = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60000,
  h: 3600000,
  d: 86400000,
  w: 604800000,
  y: 31536000000,
};

/** Parses a Prometheus duration such as `1h30m` or `0` into milliseconds. */
export function parseTestDuration(s: string): number {
  if (s === '0') return 0;
  const re = /(\d+)(ms|s|m|h|d|w|y)/y;
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (m === null) throw new Error(`not a valid duration string: "${s}"`);
    total += Number(m[1]) * UNITS[m[2]];
    pos = re.lastIndex;
  }
  if (pos === 0) throw new Error(`not a valid duration string: "${s}"`);
  return total;
}

/** Parses a number as promqltest does: integer forms (incl. hex/octal) first, then floats. */
export function parseTestNumber(s: string): number | null {
  if (/^[+-]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/.test(s)) {
    const neg = s.startsWith('-');
    const body = s.replace(/^[+-]/, '');
    let v: number;
    if (/^0[0-7]+$/.test(body)) v = parseInt(body, 8);
    else v = Number(body.replace(/^0[oO]/, '0o'));
    return neg ? -v : v;
  }
  const lower = s.toLowerCase();
  if (/^[+-]?(inf|infinity)$/.test(lower)) return lower.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/.test(lower)) return NaN;
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number(s);
  return null;
}

/** Splits a test script into commands. Line numbers are 1-based. */
export function parseScript(input: string): Command[] {
  const lines = input.split('\n').map((l) => {
    const t = l.trim();
    return t.startsWith('#') ? '' : t;
  });
  const cmds: Command[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    const c = l.split(/[\t ]+/, 1)[0].toLowerCase();
    if (c === 'clear') {
      cmds.push({ type: 'clear', line: i + 1 });
    } else if (c.startsWith('load')) {
      const m = PAT_LOAD.exec(l);
      if (m === null) throw new Error(`line ${i + 1}: invalid load command`);
      const cmd: LoadCommand = {
        type: 'load',
        line: i + 1,
        intervalMs: parseTestDuration(m[2]),
        withNhcb: m[1] === 'with_nhcb',
        series: [],
      };
      while (i + 1 < lines.length && lines[i + 1] !== '') {
        i++;
        cmd.series.push({ line: i + 1, text: lines[i] });
      }
      cmds.push(cmd);
    } else if (c.startsWith('eval')) {
      const [cmd, next] = parseEval(lines, i);
      cmds.push(cmd);
      i = next;
    } else {
      throw new Error(`line ${i + 1}: invalid command "${l}"`);
    }
  }
  return cmds;
}

function parseEval(lines: string[], i: number): [EvalCommand, number] {
  const l = lines[i];
  const inst = PAT_EVAL_INSTANT.exec(l);
  const rng = PAT_EVAL_RANGE.exec(l);
  if (inst === null && rng === null) throw new Error(`line ${i + 1}: invalid evaluation command`);
  const parts = inst ?? rng;
  if (parts === null) throw new Error(`line ${i + 1}: invalid evaluation command`);
  const mod = parts[1];
  const cmd: EvalCommand = {
    type: 'eval',
    line: i + 1,
    query: inst ? inst[3] : parts[5],
    isRange: inst === null,
    startMs: 0,
    endMs: 0,
    stepMs: 0,
    fail: mod === 'fail',
    warn: mod === 'warn',
    info: mod === 'info',
    ordered: mod === 'ordered',
    expectedFailMessage: null,
    expectedFailRegexp: null,
    expects: [],
    scalar: null,
    string: null,
    series: [],
  };
  if (inst) {
    cmd.startMs = cmd.endMs = parseTestDuration(inst[2]);
  } else {
    cmd.startMs = parseTestDuration(parts[2]);
    cmd.endMs = parseTestDuration(parts[3]);
    cmd.stepMs = parseTestDuration(parts[4]);
  }
  while (i + 1 < lines.length) {
    i++;
    const def = lines[i];
    if (def === '') {
      i--;
      break;
    }
    if (cmd.fail && def.startsWith('expected_fail_message')) {
      cmd.expectedFailMessage = def.slice('expected_fail_message'.length).trim();
      break;
    }
    if (cmd.fail && def.startsWith('expected_fail_regexp')) {
      cmd.expectedFailRegexp = new RegExp(def.slice('expected_fail_regexp'.length).trim());
      break;
    }
    if (def.startsWith('expect string')) {
      const lit = def.slice('expect string'.length).trim();
      if (!/^".*"$|^`.*`$/.test(lit))
        throw new Error(
          `line ${i + 1}: expected string literal not valid - a quoted string literal is required`,
        );
      cmd.string = lit.startsWith('`') ? lit.slice(1, -1) : (JSON.parse(lit) as string);
      continue;
    }
    if (def.split(' ')[0] === 'expect') {
      const m = PAT_EXPECT.exec(def.trim());
      if (m === null) throw new Error(`line ${i + 1}: invalid expect statement`);
      const e: Expectation = { kind: m[1] as Expectation['kind'], message: null, regex: null };
      if (m[2] === 'msg') e.message = m[3].trim();
      else if (m[2] === 'regex') e.regex = new RegExp(m[3].trim());
      cmd.expects.push(e);
      continue;
    }
    const n = parseTestNumber(def);
    if (n !== null) {
      cmd.scalar = n;
      break;
    }
    cmd.series.push({ line: i + 1, text: def });
  }
  return [cmd, i];
}
