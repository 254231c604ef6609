import { Labels } from '../storage/labels';
import { MemoryQueryable } from '../storage/memory-queryable';
import { Engine } from './engine';
import { type QueryValue } from './types';

const m = 60_000;

function data(): MemoryQueryable {
  const q = new MemoryQueryable();
  const add = (rec: Record<string, string>, f: (i: number) => number): void => {
    for (let i = 0; i <= 20; i++) q.append(Labels.fromRecord(rec), i * m, f(i));
  };
  add({ __name__: 'cpu_seconds_total', mode: 'idle', cpu: '0' }, (i) => i * 30);
  add({ __name__: 'cpu_seconds_total', mode: 'user', cpu: '0' }, (i) => i * 20);
  add({ __name__: 'cpu_seconds_total', mode: 'idle', cpu: '1' }, (i) => i * 40);
  add({ __name__: 'node_info', cpu: '0', model: 'x86' }, () => 1);
  add({ __name__: 'node_info', cpu: '1', model: 'arm' }, () => 1);
  return q;
}

function rows(v: QueryValue): string[] {
  if (v.type === 'vector') return v.value.map((s) => `${s.metric.toString()} ${s.f}`);
  if (v.type === 'scalar') return [`scalar ${v.value.v}`];
  if (v.type === 'matrix') {
    return v.value.map(
      (s) => `${s.metric.toString()} ${Array.from(s.vals.subarray(0, s.n)).join(',')}`,
    );
  }
  return [`string ${v.value.v}`];
}

describe('queries as a user writes them', () => {
  const engine = new Engine();
  const at = (q: string, t = 10 * m): Promise<string[]> =>
    engine.instantQuery(data(), q, t).then((r) => rows(r.result));

  it('joins info metrics with group_left', async () => {
    expect(
      (
        await at('sum by (cpu) (rate(cpu_seconds_total[5m])) * on(cpu) group_left(model) node_info')
      ).sort(),
    ).toEqual([
      '{cpu="0", model="x86"} 0.8333333333333333',
      '{cpu="1", model="arm"} 0.6666666666666666',
    ]);
  });

  it('keeps order for sort_desc and topk', async () => {
    expect(await at('sort_desc(cpu_seconds_total)')).toEqual([
      'cpu_seconds_total{cpu="1", mode="idle"} 400',
      'cpu_seconds_total{cpu="0", mode="idle"} 300',
      'cpu_seconds_total{cpu="0", mode="user"} 200',
    ]);
  });

  it('evaluates offset and @ against the right samples', async () => {
    expect(await at('cpu_seconds_total{cpu="1"} offset 5m')).toEqual([
      'cpu_seconds_total{cpu="1", mode="idle"} 200',
    ]);
    expect(await at('cpu_seconds_total{cpu="1"} @ 120')).toEqual([
      'cpu_seconds_total{cpu="1", mode="idle"} 80',
    ]);
  });

  it('returns absent() labels from equality matchers', async () => {
    expect(await at('absent(nope{job="x", env=~"p.*"})')).toEqual(['{job="x"} 1']);
  });

  it('rewrites labels with label_replace', async () => {
    expect(await at('label_replace(node_info{cpu="0"}, "core", "c$1", "cpu", "(.*)")')).toEqual([
      'node_info{core="c0", cpu="0", model="x86"} 1',
    ]);
  });

  it('counts values with count_values', async () => {
    expect(await at('count_values("v", node_info)')).toEqual(['{v="1"} 2']);
  });

  it('reports scalars and strings with their own types', async () => {
    expect(await at('scalar(sum(node_info)) * 2')).toEqual(['scalar 4']);
    expect(await at('"hello"')).toEqual(['string hello']);
  });

  it('runs range queries with subqueries aligned to their step', async () => {
    const r = await engine.rangeQuery(
      data(),
      'max_over_time(rate(cpu_seconds_total{mode="user"}[2m])[4m:2m])',
      10 * m,
      12 * m,
      m,
    );
    expect(rows(r.result)).toEqual([
      '{cpu="0", mode="user"} 0.3333333333333333,0.3333333333333333,0.3333333333333333',
    ]);
  });

  it('rejects duplicate label sets after the name is dropped', async () => {
    const q = new MemoryQueryable();
    q.append(Labels.fromRecord({ __name__: 'a', x: '1' }), 0, 1.5);
    q.append(Labels.fromRecord({ __name__: 'b', x: '1' }), 0, 2.5);
    await expect(engine.instantQuery(q, '{__name__=~"a|b"} + 0', 0)).rejects.toThrow(
      'vector cannot contain metrics with the same labelset',
    );
    // Comparisons keep the name, so the same selection is fine there.
    expect(rows((await engine.instantQuery(q, '{__name__=~"a|b"} > 0', 0)).result).sort()).toEqual([
      'a{x="1"} 1.5',
      'b{x="1"} 2.5',
    ]);
  });

  it('warns about quantiles outside [0, 1]', async () => {
    const r = await engine.instantQuery(data(), 'quantile(1.5, node_info)', 10 * m);
    expect(r.annotations.warnings).toEqual([
      'PromQL warning: quantile value should be between 0 and 1, got 1.5',
    ]);
  });
});

describe('per-query options', () => {
  it('honours a shorter lookback delta', async () => {
    const q = new MemoryQueryable();
    q.append(Labels.fromRecord({ __name__: 'up' }), 0, 1);
    const engine = new Engine();
    expect((await engine.instantQuery(q, 'up', 2 * m)).result).toMatchObject({
      type: 'vector',
      value: [{ f: 1 }],
    });
    expect((await engine.instantQuery(q, 'up', 2 * m, { lookbackDeltaMs: m })).result).toEqual({
      type: 'vector',
      value: [],
    });
  });
});

describe('cancellation', () => {
  it('stops a query whose signal is aborted', async () => {
    const q = new MemoryQueryable();
    q.append(Labels.fromRecord({ __name__: 'up' }), 0, 1);
    const ac = new AbortController();
    ac.abort();
    await expect(new Engine().instantQuery(q, 'up', 0, { signal: ac.signal })).rejects.toThrow(
      'query was canceled in expression evaluation',
    );
  });
});
