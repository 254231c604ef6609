import { ParseError } from './parse-error';
import { isStaleNaN } from '@strata/contracts';
import { parseSeriesDesc, type SequenceValue } from './series-desc';

const _ = 'omitted' as const;
const seq = (...vs: Array<number | typeof _>): SequenceValue[] =>
  vs.map((v) => (v === _ ? { omitted: true, value: 0 } : { omitted: false, value: v }));
const labels = (...kv: string[]): Array<{ name: string; value: string }> => {
  const out: Array<{ name: string; value: string }> = [];
  for (let i = 0; i < kv.length; i += 2) out.push({ name: kv[i], value: kv[i + 1] });
  return out;
};

// Mostly the testSeries table of Prometheus v3.5 promql/parser/parse_test.go.
describe('parseSeriesDesc', () => {
  it.each([
    ['{} 1 2 3', labels(), seq(1, 2, 3)],
    ['{a="b"} -1 2 3', labels('a', 'b'), seq(-1, 2, 3)],
    ['my_metric 1 2 3', labels('__name__', 'my_metric'), seq(1, 2, 3)],
    ['my_metric{} 1 2 3', labels('__name__', 'my_metric'), seq(1, 2, 3)],
    ['my_metric{a="b"} 1 2 3', labels('__name__', 'my_metric', 'a', 'b'), seq(1, 2, 3)],
    [
      'my_metric{a="b"} 1 2 3-10x4',
      labels('__name__', 'my_metric', 'a', 'b'),
      seq(1, 2, 3, -7, -17, -27, -37),
    ],
    [
      'my_metric{a="b"} 1 2 3-0x4',
      labels('__name__', 'my_metric', 'a', 'b'),
      seq(1, 2, 3, 3, 3, 3, 3),
    ],
    ['{} 1x0', labels(), seq(1)],
    ['{} 1+1x0', labels(), seq(1)],
    [
      'my_metric{a="b"} 1 3 _ 5 _x4',
      labels('__name__', 'my_metric', 'a', 'b'),
      seq(1, 3, _, 5, _, _, _, _),
    ],
    ['my_metric{a="b"} 1 -1', labels('__name__', 'my_metric', 'a', 'b'), seq(1, -1)],
    ['my_metric{a="b"} 1 +1', labels('__name__', 'my_metric', 'a', 'b'), seq(1, 1)],
    [
      'my_metric{a="b"} 1 -1 -3-10x4 7 9 +5',
      labels('__name__', 'my_metric', 'a', 'b'),
      seq(1, -1, -3, -13, -23, -33, -43, 7, 9, 5),
    ],
    [
      'my_metric{a="b"} 1 +1 +4 -6 -2 8',
      labels('__name__', 'my_metric', 'a', 'b'),
      seq(1, 1, 4, -6, -2, 8),
    ],
    ['my_metric{a="b"} 1 2 3    ', labels('__name__', 'my_metric', 'a', 'b'), seq(1, 2, 3)],
    ['my_metric{a="\\u70ac"} 1 2 3', labels('__name__', 'my_metric', 'a', '炬'), seq(1, 2, 3)],
    [
      'my_metric{a="\\u70ac = torch"} 1 2 3',
      labels('__name__', 'my_metric', 'a', '炬 = torch'),
      seq(1, 2, 3),
    ],
    [
      '{"http.requests", "service.name"="api-server", instance="0"}\t\t0+50x2',
      labels('__name__', 'http.requests', 'instance', '0', 'service.name', 'api-server'),
      seq(0, 50, 100),
    ],
    [
      'http_requests{job="api-server", instance="0", group="production"}',
      labels(
        '__name__',
        'http_requests',
        'group',
        'production',
        'instance',
        '0',
        'job',
        'api-server',
      ),
      seq(),
    ],
    ['', labels(), seq()],
    // In load lines x always means repetition, so 0x2 is three zeros rather than hex.
    ['m 0.5+0.25x2 1e3 0x2', labels('__name__', 'm'), seq(0.5, 0.75, 1, 1000, 0, 0, 0)],
  ])('%j', (input, wantLabels, wantValues) => {
    const got = parseSeriesDesc(input);
    expect(got.labels).toEqual(wantLabels);
    expect(got.values).toEqual(wantValues);
  });

  it('reads stale markers, Inf and NaN', () => {
    const { values } = parseSeriesDesc('m 1 stale Inf -Inf NaN');
    expect(values[1]).toMatchObject({ omitted: false, stale: true });
    expect(Number.isNaN(values[1].value)).toBe(true);
    expect(isStaleNaN(values[1].value)).toBe(true);
    expect(values.slice(2).map((v) => v.value)).toEqual([Infinity, -Infinity, NaN]);
    expect(isStaleNaN(values[4].value)).toBe(false);
  });

  it.each([
    ['{} 1+1', 'unexpected end of input in series values'],
    ['my_metric{a="b"} 1 3 _ 5 _a4', ''],
    ['my_metric{a="b"} -3-3 -3', ''],
    ['my_metric{a="b"} -3 -3-3', ''],
    ['my_metric{a="b"} -3 _-2', ''],
    ['my_metric{a="b"} -3 3+3x4-4', ''],
    [
      '{"http.requests"xx}\t\t0+50x2',
      'parse error: unexpected identifier "xx" in label set, expected "," or "}"',
    ],
    [
      '{"http.requests"=, x="y"}\t\t0+50x2',
      'parse error: unexpected "," in label set, expected string',
    ],
    ['{"http.requests}\t\t0+50x2', 'parse error: unterminated quoted string'],
    ['m foo', 'unexpected identifier "foo" in series values, expected number or "stale"'],
    [
      'm {{schema:1 sum:3 count:22 buckets:[5 10 7]}}',
      'native histogram series values are not supported',
    ],
  ])('rejects %j', (input, msg) => {
    let err: unknown;
    try {
      parseSeriesDesc(input);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ParseError);
    expect((err as ParseError).message).toContain(msg);
  });
});
