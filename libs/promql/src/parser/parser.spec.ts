import { exprType } from './ast';
import { ParseError } from './parse-error';
import { parseExpr } from './parser';
import { type ParseOptions } from './token-stream';
import { shape } from '../../testing/shape';

const exp = { enableExperimentalFunctions: true };

function errorOf(q: string, options: ParseOptions = exp): ParseError {
  try {
    parseExpr(q, options);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(q)} to fail`);
}

describe('operator precedence and binding', () => {
  it.each([
    ['a or b and c', '(<a> or (<b> and <c>))'],
    ['a and b unless c', '((<a> and <b>) unless <c>)'],
    ['a or b == c', '(<a> or (<b> == <c>))'],
    ['a == b + c', '(<a> == (<b> + <c>))'],
    ['a + b * c', '(<a> + (<b> * <c>))'],
    ['a - b - c', '((<a> - <b>) - <c>)'],
    ['a / b % c * d', '(((<a> / <b>) % <c>) * <d>)'],
    ['a atan2 b * c', '((<a> atan2 <b>) * <c>)'],
    ['a * b ^ c', '(<a> * (<b> ^ <c>))'],
    ['a ^ b ^ c', '(<a> ^ (<b> ^ <c>))'],
    ['-a * b', '((-<a>) * <b>)'],
    ['-a ^ b', '(-(<a> ^ <b>))'],
    ['-1 ^ 2', '(-(1 ^ 2))'],
    ['2 ^ -1 ^ 2', '(2 ^ (-(1 ^ 2)))'],
    ['a + -b * c', '(<a> + ((-<b>) * <c>))'],
    ['- - 1', '1'],
    ['a + b offset 5m', '(<a> + <b offset 5m>)'],
    ['a offset 5m + b', '(<a offset 5m> + <b>)'],
    ['-a @ 10', '(-<a @ 10.000>)'],
    ['a / rate(b[5m:1m])', '(<a> / rate(<b[5m:1m]>))'],
    ['sum(a)[5m:]', '<sum(a)[5m:]>'],
    ['m offset -2 ^ 2', '(<m offset -2s> ^ 2)'],
    ['m offset 100 + 2', '(<m offset 1m40s> + 2)'],
    ['m offset (100 + 2)', '<m offset (100 + 2)>'],
    ['a > bool b or c', '((<a> > <b>) or <c>)'],
  ])('%s groups as %s', (q, want) => {
    expect(shape(parseExpr(q, exp))).toBe(want);
  });

  it('evaluates -1 ^ 2 as a unary minus over the power', () => {
    const e = parseExpr('-1 ^ 2');
    expect(e.type).toBe('UnaryExpr');
    expect(exprType(e)).toBe('scalar');
  });

  it('folds a sign into a number literal and widens its position', () => {
    expect(parseExpr(' -5')).toEqual({
      type: 'NumberLiteral',
      value: -5,
      pos: { start: 1, end: 3 },
    });
  });

  it('binds a subquery to the nearest primary', () => {
    // Prometheus rejects this because only b becomes a range vector.
    const e = errorOf('a / b[5m:1m]');
    expect(e.message).toBe(
      '1:5: parse error: binary expression must contain only scalar and instant vector types',
    );
  });
});

describe('literals and selectors', () => {
  it.each([
    ['1_000', 1000],
    ['0x_1F', 31],
    ['0755', 493],
    ['09', 9],
    ['1e3', 1000],
    ['.5', 0.5],
    ['5.', 5],
    ['1h30m', 5400],
    ['1y', 31536000],
    ['1w', 604800],
    ['150ms', 0.15],
  ])('reads %s as %d', (q, v) => {
    const e = parseExpr(q);
    expect(e.type === 'NumberLiteral' && e.value).toBe(v);
  });

  it.each(['Inf', 'inf', '+Inf'])('reads %s as +Infinity', (q) => {
    const e = parseExpr(q);
    expect(e.type === 'NumberLiteral' && e.value).toBe(Infinity);
  });

  it('reads NaN case-insensitively', () => {
    const e = parseExpr('nAn');
    expect(e.type === 'NumberLiteral' && Number.isNaN(e.value)).toBe(true);
  });

  it.each([
    ['"a\\tb"', 'a\tb'],
    ["'it\\'s'", "it's"],
    ['`raw\\n`', 'raw\\n'],
    ['"\\u00e9\\U0001F600"', 'é😀'],
    ['"\\101\\x42"', 'AB'],
    ['"\\xc3\\xa9"', 'é'],
  ])('decodes the string %s', (q, v) => {
    const e = parseExpr(q);
    expect(e.type === 'StringLiteral' && e.value).toBe(v);
  });

  it('flags strings whose escapes are not valid UTF-8', () => {
    const e = parseExpr('"a\\xc5z"');
    expect(e).toMatchObject({ type: 'StringLiteral', value: 'a\ufffdz', invalidUtf8: true });
  });

  it('accepts quoted metric and label names', () => {
    expect(parseExpr('{"my.metric", "le.x"=~"a|b"}')).toMatchObject({
      name: '',
      matchers: [
        { name: '__name__', op: '=', value: 'my.metric' },
        { name: 'le.x', op: '=~', value: 'a|b' },
      ],
    });
  });

  it('treats keywords as metric names where Prometheus does', () => {
    expect(shape(parseExpr('sum + min'))).toBe('(<sum> + <min>)');
    expect(shape(parseExpr('by{a="b"} or offset'))).toBe('(<by{a="b"}> or <offset>)');
  });

  it('skips comments', () => {
    expect(shape(parseExpr('foo # the lhs\n + bar # rhs'))).toBe('(<foo> + <bar>)');
  });

  it('accepts by/without before or after the body and keyword label names', () => {
    const a = parseExpr('sum by (on, offset) (foo)');
    const b = parseExpr('sum(foo) by (on, offset)');
    expect(a).toMatchObject({
      grouping: ['on', 'offset'],
      without: false,
      pos: { start: 0, end: 25 },
    });
    expect(b).toMatchObject({
      grouping: ['on', 'offset'],
      without: false,
      pos: { start: 0, end: 24 },
    });
  });

  it('resolves both orders of offset and @', () => {
    const a = parseExpr('foo offset 5m @ 100');
    const b = parseExpr('foo @ 100 offset 5m');
    expect(a).toMatchObject({ offsetMs: 300000, timestampMs: 100000, pos: { start: 0, end: 19 } });
    expect(b).toMatchObject({ offsetMs: 300000, timestampMs: 100000, pos: { start: 0, end: 19 } });
  });

  it('folds duration expressions into milliseconds and keeps the written form', () => {
    const e = parseExpr(
      'sum_over_time(m[29s+1s:((((8 - 2) / 3) * 7s) % 4) + 8000ms] offset -(20*5s))',
    );
    expect(e.type).toBe('Call');
    const sq = e.type === 'Call' ? e.args[0] : e;
    expect(sq).toMatchObject({
      type: 'SubqueryExpr',
      rangeMs: 30000,
      stepMs: 10000,
      offsetMs: -100000,
    });
    expect(sq.type === 'SubqueryExpr' && sq.rangeExpr?.op).toBe('+');
  });
});

describe('error messages and positions', () => {
  it.each([
    ['1 +', '1:4: parse error: unexpected end of input'],
    ['1 + * 2', '1:5: parse error: unexpected <op:*>'],
    ['foo AND', '1:8: parse error: unexpected end of input'],
    ['(1))', "1:5: parse error: unexpected right parenthesis ')'"],
    ['((1)', '1:5: parse error: unclosed left parenthesis'],
    ['1 == 1', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    ['foo{a=b}', '1:7: parse error: unexpected identifier "b" in label matching, expected string'],
    [
      'foo{a="b" c="d"}',
      '1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}"',
    ],
    ['sum(foo bar)', '1:9: parse error: unexpected identifier "bar" in aggregation'],
    [
      'sum(foo) by bar',
      '1:13: parse error: unexpected identifier "bar" in grouping opts, expected "("',
    ],
    [
      'sum by (a b) (foo)',
      '1:11: parse error: unexpected identifier "b" in grouping opts, expected "," or ")"',
    ],
    ['foo[5m', '1:7: parse error: unclosed left bracket'],
    ['foo[', '1:5: parse error: unexpected end of input in duration expression'],
    [
      'foo[5m 1m]',
      '1:8: parse error: unexpected duration "1m" in subquery or range, expected ":" or "]"',
    ],
    [
      'foo offset bar',
      '1:12: parse error: unexpected identifier "bar" in offset, expected number or duration',
    ],
    ['foo @ bar', '1:7: parse error: unexpected identifier "bar" in @, expected timestamp'],
    ['foo[0s]', '1:5: parse error: duration must be greater than 0'],
    ['foo[5m:0s]', '1:8: parse error: duration must be greater than 0'],
    [
      'rate(foo)',
      '1:6: parse error: expected type range vector in call to function "rate", got instant vector',
    ],
    ['foo offset 1m[5m]', '1:14: parse error: no offset modifiers allowed before range'],
    [
      'sum(foo) offset 5m',
      '1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery',
    ],
    ['foo @ 1 @ 2', '1:1: parse error: @ <timestamp> may not be set multiple times'],
    ['{a=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['foo and 1', '1:1: parse error: set operator "and" not allowed in binary scalar expression'],
    ['foo + bool bar', '1:5: parse error: bool modifier can only be used on comparison operators'],
    ['foo and on(a) group_left bar', '1:1: parse error: no grouping allowed for "and" operation'],
    [
      'label_join(foo)',
      '1:1: parse error: expected at least 3 argument(s) in call to "label_join", got 1',
    ],
    [
      'round(foo, 1, 2)',
      '1:1: parse error: expected at most 2 argument(s) in call to "round", got 3',
    ],
    ['foo{a=~"(.*"}', '1:5: parse error: error parsing regexp: missing closing ): `(.*`'],
    ['"\\q"', "1:1: parse error: unknown escape sequence U+0071 'q'"],
    ['foo[1.5m]', '1:5: parse error: unknown unit "." in duration "1.5m"'],
    ['1 # only a comment after', ''],
    ['# only a comment', '1:1: parse error: no expression found in input'],
    ['foo !~ bar', "1:5: parse error: unexpected character after '!': '~'"],
    ['foo €', "1:5: parse error: unexpected character: '€'"],
  ])('%j', (q, msg) => {
    if (msg === '') {
      expect(() => parseExpr(q)).not.toThrow();
      return;
    }
    const e = errorOf(q);
    expect(e.message).toBe(msg);
    expect(e.query).toBe(q);
    expect(e.lineOffset).toBe(0);
  });

  it('reports byte columns for non-ASCII input, like Prometheus', () => {
    const e = errorOf('foo{a="é"} +');
    expect(e.message).toBe('1:14: parse error: unexpected end of input');
    expect(e.positionRange).toEqual({ start: 13, end: 13 });
  });

  it('reports the line of multi-line queries', () => {
    expect(errorOf('sum(\n  rate(foo[5m])\n) +').message).toBe(
      '3:4: parse error: unexpected end of input',
    );
  });
});

describe('feature gates', () => {
  it.each([
    ['info(foo)', '1:1: parse error: function "info" is not enabled'],
    ['sort_by_label(foo, "a")', '1:1: parse error: function "sort_by_label" is not enabled'],
    [
      'limitk(1, foo)',
      '1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    ],
    [
      'limit_ratio(0.5, foo)',
      '1:1: parse error: limit_ratio() is experimental and must be enabled with --enable-feature=promql-experimental-functions',
    ],
  ])('rejects %j unless experimental functions are enabled', (q, msg) => {
    expect(errorOf(q, { enableExperimentalFunctions: false }).message).toBe(msg);
    expect(() => parseExpr(q, { enableExperimentalFunctions: true })).not.toThrow();
  });

  it('rejects duration arithmetic when duration expressions are disabled', () => {
    expect(errorOf('foo[5m+1m]', { enableExperimentalDurationExpr: false }).message).toBe(
      '1:5: parse error: experimental duration expression is not enabled',
    );
    expect(() => parseExpr('foo[5m+1m]')).not.toThrow();
  });

  it('lets info() take a label-only selector that would otherwise be empty', () => {
    expect(() => parseExpr('info(foo, {a=~".*"})', exp)).not.toThrow();
    expect(errorOf('info(foo, bar{a="b"})').message).toBe(
      '1:11: parse error: expected label selectors only, got vector selector instead',
    );
  });
});

describe('ParseError', () => {
  it('can be re-reported with a line offset for queries embedded in files', () => {
    const e = errorOf('foo +').withLineOffset(9);
    expect(e.message).toBe('10:6: parse error: unexpected end of input');
    expect(e.lineOffset).toBe(9);
    expect(e.detail).toBe('unexpected end of input');
  });

  it('rejects regex syntax that RE2 does not support', () => {
    expect(errorOf('foo{a=~"(?=x)"}').message).toBe(
      '1:5: parse error: error parsing regexp: invalid or unsupported Perl syntax: `(?=`',
    );
    expect(errorOf('foo{a=~"(a)\\\\1"}').message).toBe(
      '1:5: parse error: error parsing regexp: invalid escape sequence: `\\1`',
    );
  });
});

describe('large inputs', () => {
  it('checks a 20000-term chain without deep recursion (Prometheus deep-nesting case)', () => {
    const q = `(${'-{}-1'.repeat(10000)})${'[1m:]'.repeat(1000)}`;
    expect(errorOf(q).message).toBe(
      '1:3: parse error: vector selector must contain at least one non-empty matcher',
    );
  });

  it('reports absurd nesting as a ParseError rather than crashing', () => {
    const e = errorOf(`${'sum('.repeat(20000)}foo${')'.repeat(20000)}`);
    expect(e.detail).toBe('expression nesting is too deep to parse');
  });
});
