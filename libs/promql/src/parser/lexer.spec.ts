import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lexer } from './lexer';
import { type Token } from './tokens';

interface LexCase {
  group: string;
  input: string;
  expected?: Array<[string, number, string]>;
  fail?: boolean;
}

// Converted from Prometheus v3.5 promql/parser/lex_test.go (series-description cases are covered by
// series-desc.spec.ts; comment items are dropped because this lexer skips comments).
const cases = JSON.parse(
  readFileSync(join(__dirname, 'testdata/prometheus-lex-cases.json'), 'utf8'),
) as LexCase[];

function lexAll(input: string): Token[] {
  const lexer = new Lexer(input);
  const out: Token[] = [];
  for (;;) {
    const t = lexer.next();
    out.push(t);
    if (t.type === 'EOF' || t.type === 'ERROR') return out;
  }
}

describe('Lexer (Prometheus lex_test.go cases)', () => {
  it.each(cases.map((c) => [c.group, c.input, c] as const))('%s: %j', (_group, input, c) => {
    const tokens = lexAll(input);
    const last = tokens[tokens.length - 1];
    if (c.fail === true) {
      expect(last.type).toBe('ERROR');
      return;
    }
    const expected = c.expected ?? [];
    const errorAt = expected.findIndex(([type]) => type === 'ERROR');
    if (errorAt >= 0) {
      // Prometheus' lexer keeps scanning after an escape error; the parser stops at the error, so do we.
      expect(tokens.map((t) => [t.type, t.pos, t.val])).toEqual(expected.slice(0, errorAt + 1));
      return;
    }
    expect(last).toEqual({
      type: 'EOF',
      pos: Buffer.byteLength(input),
      end: Buffer.byteLength(input),
      val: '',
    });
    expect(tokens.slice(0, -1).map((t) => [t.type, t.pos, t.val])).toEqual(expected);
  });
});

describe('Lexer', () => {
  it('reports byte offsets for non-ASCII input', () => {
    const tokens = lexAll('{a="ñé"} + x');
    expect(tokens.map((t) => [t.type, t.pos, t.end])).toEqual([
      ['LEFT_BRACE', 0, 1],
      ['IDENTIFIER', 1, 2],
      ['EQL', 2, 3],
      ['STRING', 3, 9],
      ['RIGHT_BRACE', 9, 10],
      ['ADD', 11, 12],
      ['IDENTIFIER', 13, 14],
      ['EOF', 14, 14],
    ]);
  });

  it('lexes a large query in linear time', () => {
    const q = Array.from({ length: 50000 }, (_, i) => `m{a="${'x'.repeat(20)}${i}"}`).join(' or ');
    const start = Date.now();
    const n = lexAll(q).length;
    // Seven tokens per selector with its `or`, minus the last `or`, plus EOF.
    expect(n).toBe(50000 * 7);
    // Generous bound for a shared 2-core machine; a quadratic lexer takes minutes here.
    expect(Date.now() - start).toBeLessThan(5000);
  });
});
