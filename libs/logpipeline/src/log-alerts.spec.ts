import { type LogRecord, type PipelineSpecInput } from '@strata/contracts';
import { compilePipeline, runPipeline } from './compile';

const rec = (line: string, namespace = 'shop'): LogRecord => ({
  timestampNs: '1',
  line,
  labels: { namespace, pod: 'api-1' },
  fields: {},
});

function alerting(transforms: PipelineSpecInput['transforms'], last: string) {
  return compilePipeline({
    name: 'p',
    transforms,
    sinks: { out: { type: 'blackhole', inputs: [last] } },
  });
}

const rule = {
  type: 'log_alert' as const,
  alert: 'ShopErrors',
  selector: { namespace: 'shop' },
  window_ms: 60_000,
  threshold: 3,
  labels: { severity: 'warning' },
};

describe('log alert rules as KubeGems writes them', () => {
  it('plain substring: count_over_time({namespace="shop"} |= "error" [1m]) >= 3', () => {
    const p = alerting({ a: { ...rule, inputs: ['source'], line_contains: 'error' } }, 'a');
    const t = 1_000_000;
    runPipeline(p, [rec('an error'), rec('fine'), rec('error again'), rec('error', 'other')], t);
    expect(p.alerts.evaluate(t, 60_000)).toEqual([]);
    runPipeline(p, [rec('third error')], t + 1000);
    const [firing] = p.alerts.evaluate(t + 1000, 60_000);
    expect(firing).toMatchObject({
      alert: 'ShopErrors',
      labels: { alertname: 'ShopErrors', severity: 'warning' },
      annotations: { count: '3' },
      resolved: false,
    });
    // The window slides past the first two lines: resolved once.
    const [resolved] = p.alerts.evaluate(t + 60_500, 60_000);
    expect(resolved).toMatchObject({ resolved: true, count: 1 });
    expect(p.alerts.evaluate(t + 61_000, 60_000)).toEqual([]);
  });

  it('json field filter with for: count_over_time({namespace="shop"} | json | level="error" [1m]) >= 3 for 30s', () => {
    const p = alerting(
      {
        json: { type: 'parse_json', inputs: ['source'] },
        a: { ...rule, inputs: ['json'], condition: 'fields.level = "error"', for_ms: 30_000 },
      },
      'a',
    );
    const t = 2_000_000;
    runPipeline(
      p,
      [1, 2, 3, 4].map((i) => rec(JSON.stringify({ level: i < 4 ? 'error' : 'info' }))),
      t,
    );
    expect(p.alerts.evaluate(t, 60_000)).toEqual([]);
    expect(p.alerts.evaluate(t + 29_000, 60_000)).toEqual([]);
    const [firing] = p.alerts.evaluate(t + 30_000, 60_000);
    expect(firing).toMatchObject({
      startsAt: new Date(t + 30_000).toISOString(),
      endsAt: new Date(t + 90_000).toISOString(),
    });
  });

  it('logfmt field filter: count_over_time({namespace="shop"} | logfmt | status="500" [1m]) >= 3', () => {
    const p = alerting(
      {
        kv: { type: 'parse_logfmt', inputs: ['source'] },
        a: { ...rule, inputs: ['kv'], condition: 'fields.status = "500"' },
      },
      'a',
    );
    runPipeline(
      p,
      ['status=500 path=/a', 'status=500 path=/b', 'status=200', 'status=500 msg="x y"'].map((l) =>
        rec(l),
      ),
      3_000_000,
    );
    expect(p.alerts.evaluate(3_000_000, 60_000)).toMatchObject([{ count: 3, resolved: false }]);
  });

  it('keeps counts and state across a new version of the pipeline', () => {
    const spec = (threshold: number): PipelineSpecInput => ({
      name: 'p',
      transforms: { a: { ...rule, inputs: ['source'], threshold } },
      sinks: { out: { type: 'blackhole', inputs: ['a'] } },
    });
    const v1 = compilePipeline(spec(3));
    runPipeline(v1, [rec('x'), rec('y')], 5_000_000);
    const v2 = compilePipeline(spec(2), { alerts: v1.alerts });
    expect(v2.alerts.evaluate(5_000_000, 60_000)).toMatchObject([{ count: 2 }]);
  });
});
