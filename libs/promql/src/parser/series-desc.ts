import { STALE_NAN } from '@strata/contracts';
import { Lexer } from './lexer';
import { parseNumber } from './numbers';
import { ParseError } from './parse-error';
import { scanNumber } from './scan-number';
import { unquote } from './strings';
import { describeToken, type Token } from './tokens';

/** One point of a series description: a value, a stale marker, or an omitted sample. */
export interface SequenceValue {
  /** True for `_`: no sample at this step. */
  omitted: boolean;
  /** The sample value; for stale markers Prometheus' stale NaN (see `stale`). */
  value: number;
  /** True for `stale`; JS engines may not keep NaN payload bits, so check this flag, not the bits. */
  stale?: boolean;
}

/** A parsed `load` line: labels sorted by name, and the expanded values. */
export interface SeriesDesc {
  labels: Array<{ name: string; value: string }>;
  values: SequenceValue[];
}

class SeriesDescError extends Error {
  constructor(
    readonly start: number,
    readonly end: number,
    readonly detail: string,
  ) {
    super(detail);
  }
}

const NAME_TOKENS = new Set([
  'IDENTIFIER',
  'METRIC_IDENTIFIER',
  'AGGREGATOR',
  'BY',
  'LAND',
  'LOR',
  'LUNLESS',
  'OFFSET',
  'WITHOUT',
  'START',
  'END',
]);

function fail(t: Token, context: string, expected: string): never {
  if (t.type === 'ERROR') throw new SeriesDescError(t.pos, t.end, t.val);
  throw new SeriesDescError(
    t.pos,
    t.end,
    `unexpected ${describeToken(t)} in ${context}${expected === '' ? '' : `, expected ${expected}`}`,
  );
}

function parseLabelSet(lexer: Lexer, labels: Map<string, string>): void {
  let t = lexer.next();
  while (t.type !== 'RIGHT_BRACE') {
    let name: string;
    if (t.type === 'IDENTIFIER') name = t.val;
    else if (t.type === 'STRING') name = unquote(t.val).value;
    else fail(t, 'label set', 'identifier or "}"');
    const quotedName = t.type === 'STRING';
    t = lexer.next();
    if (t.type === 'EQL') {
      t = lexer.next();
      if (t.type !== 'STRING') fail(t, 'label set', 'string');
      labels.set(name, unquote(t.val).value);
      t = lexer.next();
    } else if (quotedName && (t.type === 'COMMA' || t.type === 'RIGHT_BRACE')) {
      labels.set('__name__', name);
    } else {
      fail(t, 'label set', quotedName ? '"," or "}"' : '"="');
    }
    if (t.type === 'COMMA') t = lexer.next();
    else if (t.type !== 'RIGHT_BRACE') fail(t, 'label set', '"," or "}"');
  }
}

/** Scans one whitespace-free item of the value sequence. */
class ItemScanner {
  pos = 0;
  constructor(
    private readonly text: string,
    private readonly base: number,
  ) {}

  private err(msg: string): never {
    throw new SeriesDescError(this.base + this.pos, this.base + this.text.length, msg);
  }

  get done(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text[this.pos] ?? '';
  }

  number(): number {
    const c = this.peek();
    if (/[A-Za-z]/.test(c)) {
      const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0] ?? '';
      const lower = word.toLowerCase();
      if (lower !== 'inf' && lower !== 'nan')
        this.err(
          `unexpected identifier ${JSON.stringify(word)} in series values, expected number or "stale"`,
        );
      this.pos += word.length;
      return lower === 'inf' ? Infinity : NaN;
    }
    const r = scanNumber(this.text, this.pos, true);
    if (!r.ok) this.err(`bad number syntax: ${JSON.stringify(this.text.slice(this.pos, r.end))}`);
    const v = parseNumber(this.text.slice(this.pos, r.end));
    this.pos = r.end;
    return v;
  }

  signed(): number {
    const c = this.peek();
    if (c === '+' || c === '-') {
      this.pos++;
      const v = this.number();
      return c === '-' ? -v : v;
    }
    return this.number();
  }

  times(): number {
    if (this.done) this.err('unexpected end of input in series values');
    if (this.peek() !== 'x')
      this.err(`unexpected ${JSON.stringify(this.text.slice(this.pos))} in series values`);
    this.pos++;
    const digits = /^[0-9]+/.exec(this.text.slice(this.pos))?.[0] ?? '';
    if (digits === '' || this.pos + digits.length !== this.text.length) {
      this.err(`invalid repetition in series values: ${JSON.stringify(this.text.slice(this.pos))}`);
    }
    this.pos += digits.length;
    return Number(digits);
  }
}

function expandItem(text: string, base: number, out: SequenceValue[]): void {
  if (text.startsWith('{{')) {
    throw new SeriesDescError(
      base,
      base + text.length,
      'native histogram series values are not supported',
    );
  }
  const s = new ItemScanner(text, base);
  if (text[0] === '_') {
    s.pos = 1;
    const n = s.done ? 1 : s.times();
    for (let i = 0; i < n; i++) out.push({ omitted: true, value: 0 });
    return;
  }
  if (text === 'stale') {
    out.push({ omitted: false, value: STALE_NAN, stale: true });
    return;
  }
  let value = s.signed();
  if (s.done) {
    out.push({ omitted: false, value });
    return;
  }
  if (s.peek() === 'x') {
    const n = s.times();
    for (let i = 0; i <= n; i++) out.push({ omitted: false, value });
    return;
  }
  if (s.peek() !== '+' && s.peek() !== '-') s.times();
  const delta = s.signed();
  const n = s.times();
  for (let i = 0; i <= n; i++) {
    out.push({ omitted: false, value });
    value += delta;
  }
}

function parse(input: string): SeriesDesc {
  const lexer = new Lexer(input);
  const labels = new Map<string, string>();
  let first = lexer.next();
  let valuesFrom = lexer.offset;
  if (first.type !== 'EOF') {
    if (NAME_TOKENS.has(first.type)) {
      labels.set('__name__', first.val);
      valuesFrom = lexer.offset;
      if (input[lexer.offset] === '{') first = lexer.next();
    }
    if (first.type === 'LEFT_BRACE') {
      parseLabelSet(lexer, labels);
      valuesFrom = lexer.offset;
    } else if (!NAME_TOKENS.has(first.type)) {
      fail(first, 'series values', '');
    }
  }
  const values: SequenceValue[] = [];
  const rest = input.slice(valuesFrom);
  if (rest !== '' && !/^[ \t\r\n]/.test(rest)) {
    throw new SeriesDescError(
      lexer.byteAt(valuesFrom),
      lexer.byteLength,
      `unexpected character in series sequence: ${JSON.stringify(rest[0])}`,
    );
  }
  const itemRe = /[^ \t\r\n]+/g;
  for (let m = itemRe.exec(rest); m !== null; m = itemRe.exec(rest)) {
    expandItem(m[0], lexer.byteAt(valuesFrom + m.index), values);
  }
  const sorted = [...labels.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));
  return { labels: sorted, values };
}

/**
 * Parses a promqltest `load` line (`metric{l="v"} 1+2x3 _ stale`) into labels and expanded
 * values, like Prometheus' `ParseSeriesDesc`. Native histogram values (`{{...}}`) are rejected.
 */
export function parseSeriesDesc(input: string): SeriesDesc {
  try {
    return parse(input);
  } catch (e) {
    if (e instanceof SeriesDescError)
      throw new ParseError({ start: e.start, end: e.end }, e.detail, input);
    throw e;
  }
}
