import { type Expr } from '../../src/parser/ast';
import { agg, sel } from '../test-builders';
import { Labels } from '../../src/storage/labels';
import { parseScript, parseTestDuration } from './script';
import { runScript, stripHistogramValues, type ConformanceParser } from './runner';

// A stand-in for the real parser: queries map to prebuilt trees, series are `name{k="v"} v v v`.
const trees: Record<string, Expr> = {
  'sum(up)': agg('sum', sel('up')),
  up: sel('up'),
};
const fake: ConformanceParser = {
  parseExpr: (q) => {
    const t = trees[q];
    if (t === undefined) throw new Error(`no tree for ${q}`);
    return t;
  },
  parseSeriesDesc: (desc) => {
    const [metric, ...vals] = desc.split(/\s+/);
    const m = /^([a-z_]*)(?:\{(.*)\})?$/.exec(metric);
    const pairs: [string, string][] = [];
    if (m?.[1]) pairs.push(['__name__', m[1]]);
    for (const kv of (m?.[2] ?? '').split(',').filter(Boolean)) {
      const [k, v] = kv.split('=');
      pairs.push([k.trim(), JSON.parse(v) as string]);
    }
    return {
      labels: Labels.fromPairs(pairs),
      values: vals.map((v) => ({
        value: v === '_' ? 0 : Number(v),
        omitted: v === '_',
        histogram: v.startsWith('{{'),
      })),
    };
  },
};

describe('promqltest runner', () => {
  it('parses durations the way Prometheus does', () => {
    expect(parseTestDuration('1h30m')).toBe(5_400_000);
    expect(parseTestDuration('0')).toBe(0);
  });

  it('reads eval commands with expect lines', () => {
    const [, ev] = parseScript(
      'load 1m\n  up 1\n\neval instant at 1m sum(up)\n  expect no_warn\n  {} 1\n',
    );
    expect(ev).toMatchObject({
      type: 'eval',
      query: 'sum(up)',
      startMs: 60_000,
      expects: [{ kind: 'no_warn' }],
    });
  });

  it('checks string results from expect string lines', async () => {
    trees['"hi"'] = { type: 'StringLiteral', value: 'hi', pos: { start: 0, end: 4 } };
    const r = await runScript('s', 'eval instant at 0 "hi"\n  expect string "hi"\n', fake);
    expect(r.cases.map((c) => c.status)).toEqual(['passed']);
  });

  it('reports passes and failures per eval', async () => {
    const script = [
      'load 1m',
      '  up{job="a"} 1 2 3',
      '  up{job="b"} 5 5 5',
      '',
      'eval instant at 2m sum(up)',
      '  {} 8',
      '',
      'eval range from 0 to 2m step 1m up',
      '  up{job="a"} 1 2 3',
      '  up{job="b"} 5 5 5',
      '',
      'eval instant at 2m sum(up)',
      '  {} 9',
    ].join('\n');
    const r = await runScript('t', script, fake);
    expect(r.cases.map((c) => c.status)).toEqual(['passed', 'passed', 'failed']);
    expect(r.cases[2].reason).toContain('expected 9');
  });
});

describe('stripHistogramValues', () => {
  it('keeps float samples on their steps', () => {
    expect(
      stripHistogramValues('m{a="{{x}}"} 1 {{schema:0 sum:1 count:1}}x2 3 {{sum:1}}+{{sum:2}}x1 _'),
    ).toEqual({
      text: 'm{a="{{x}}"} 1 _x3 3 _x2 _',
      histograms: true,
    });
  });
});
