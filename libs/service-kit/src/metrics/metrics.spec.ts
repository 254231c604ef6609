import { StrataMetrics, createMetricsRegistry, metricName } from './metrics';

describe('metrics', () => {
  it('prefixes platform metrics and keeps default process metrics', async () => {
    const metrics = new StrataMetrics(createMetricsRegistry({ instance: 'i1' }));
    const c = metrics.counter('ingest_samples_total', 'Samples ingested.', ['tenant']);
    c.inc({ tenant: 't1' }, 3);
    expect(metrics.counter('strata_ingest_samples_total', 'Samples ingested.', ['tenant'])).toBe(c);
    const { body, contentType } = await metrics.render();
    expect(contentType).toContain('text/plain');
    expect(body).toContain('strata_ingest_samples_total{tenant="t1",instance="i1"} 3');
    expect(body).toContain('process_cpu_seconds_total');
    expect(body).toContain('nodejs_heap_size_total_bytes');
  });

  it('rejects invalid names', () => {
    expect(() => metricName('bad-name')).toThrow(/invalid metric name/);
    expect(metricName('x')).toBe('strata_x');
  });
});
