import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExpr } from './parser';
import { exprToJson } from './json-tree';
import { formatExpr } from './printer';

const opts = { enableExperimentalFunctions: true };
const roundTrip = (q: string): string => formatExpr(parseExpr(q, opts));

// Input/output pairs from Prometheus v3.5 promql/parser/printer_test.go (TestExprString).
const prometheusCases = JSON.parse(
  readFileSync(join(__dirname, 'testdata/prometheus-format-cases.json'), 'utf8'),
) as Array<[string, string]>;

describe('formatExpr', () => {
  it.each(prometheusCases)('formats %j as %j', (input, output) => {
    expect(roundTrip(input)).toBe(output);
  });

  it.each([
    ['1 + 2 * 3', '1 + 2 * 3'],
    ['(1 + 2) * 3', '(1 + 2) * 3'],
    ['-1 ^ 2', '-1 ^ 2'],
    ['- foo', '-foo'],
    ['2 ^ -1', '2 ^ -1'],
    ['foo  >  bool  1', 'foo > bool 1'],
    ['foo{b="2",a="1"}', 'foo{a="1",b="2"}'],
    ['foo{a="\\n\\t\\u00e9"}', 'foo{a="\\n\\té"}'],
    [`foo{a='x"y'}`, 'foo{a="x\\"y"}'],
    ['foo{a=`raw\\n`}', 'foo{a="raw\\\\n"}'],
    ['{"foo.bar"}', '{__name__="foo.bar"}'],
    ['{"foo.bar", "a.b"="c"}', '{"a.b"="c",__name__="foo.bar"}'],
    ['foo[90s]', 'foo[1m30s]'],
    ['foo[1800]', 'foo[30m]'],
    ['foo[5m] offset -1h', 'foo[5m] offset -1h'],
    ['foo offset 5m @ 100', 'foo @ 100.000 offset 5m'],
    ['foo @ end() offset 1w', 'foo @ end() offset 1w'],
    ['rate(foo[5m])[30m:]', 'rate(foo[5m])[30m:]'],
    ['rate(foo[5m])[30m:1m] @ start() offset 1d', 'rate(foo[5m])[30m:1m] @ start() offset 1d'],
    ['foo[26m+4m]', 'foo[26m + 4m]'],
    ['foo[2m*(10+5)]', 'foo[2m * (10 + 5)]'],
    ['foo[5m:(1m+1m)]', 'foo[5m:(1m + 1m)]'],
    ['foo offset (1h / 2)', 'foo offset (1h / 2)'],
    ['foo offset -(20 * 5s)', 'foo offset -(20 * 5s)'],
    ['foo offset 100 + 2', 'foo offset 1m40s + 2'],
    ['1e21', '1000000000000000000000'],
    ['1e-7', '0.0000001'],
    ['0x1F', '31'],
    ['1_000', '1000'],
    ['Inf', '+Inf'],
    ['-inf', '-Inf'],
    ['NaN', 'NaN'],
    ['5m', '5m'],
    ['-5m', '-5m'],
    ['"a\\x41"', '"aA"'],
    ['"\\u2028"', '"\\u2028"'],
    ['sum without ("a.b", c) (foo)', 'sum without ("a.b", c) (foo)'],
    ['topk by (a) (3, foo)', 'topk by (a) (3, foo)'],
    ['count_values("v", foo)', 'count_values("v", foo)'],
    ['label_join(foo, "a", ",", "b", "c")', 'label_join(foo, "a", ",", "b", "c")'],
    ['foo and on (a) bar or ignoring (b) baz', 'foo and on (a) bar or ignoring (b) baz'],
    ['a * ignoring () group_left (x) b', 'a * b'],
    ['time()', 'time()'],
    ['foo @ 1.2345', 'foo @ 1.235'],
  ])('formats %j as %j', (input, output) => {
    expect(roundTrip(input)).toBe(output);
  });
});

describe('formatExpr output re-parses to the same text', () => {
  const queries = (
    JSON.parse(
      readFileSync(join(__dirname, 'testdata/prometheus-parse-cases.json'), 'utf8'),
    ) as Array<{ input: string; fail?: boolean }>
  )
    .filter((c) => c.fail !== true)
    .map((c) => c.input);

  it.each(queries)('%j', (q) => {
    const once = roundTrip(q);
    expect(roundTrip(once)).toBe(once);
  });
});

describe('exprToJson', () => {
  it('matches the /api/v1/parse_query shape', () => {
    const tree = exprToJson(parseExpr('sum by (job) (rate(foo{a="b"}[5m] offset 1m)) > bool 2'));
    expect(tree).toEqual({
      type: 'binaryExpr',
      op: '>',
      bool: true,
      matching: null,
      lhs: {
        type: 'aggregation',
        op: 'sum',
        grouping: ['job'],
        without: false,
        param: null,
        expr: {
          type: 'call',
          func: { name: 'rate', argTypes: ['matrix'], variadic: 0, returnType: 'vector' },
          args: [
            {
              type: 'matrixSelector',
              name: 'foo',
              range: 300000,
              offset: 60000,
              matchers: [
                { name: 'a', value: 'b', type: '=' },
                { name: '__name__', value: 'foo', type: '=' },
              ],
              timestamp: null,
              startOrEnd: null,
            },
          ],
        },
      },
      rhs: { type: 'numberLiteral', val: '2' },
    });
  });

  it('renders subqueries and @ modifiers', () => {
    expect(exprToJson(parseExpr('foo[1h:1m] @ end()'))).toEqual({
      type: 'subquery',
      expr: {
        type: 'vectorSelector',
        name: 'foo',
        offset: 0,
        matchers: [{ name: '__name__', value: 'foo', type: '=' }],
        timestamp: null,
        startOrEnd: null,
      },
      range: 3600000,
      offset: 0,
      step: 60000,
      timestamp: null,
      startOrEnd: 'end',
    });
  });
});
