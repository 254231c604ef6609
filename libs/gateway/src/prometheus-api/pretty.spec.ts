import { parseExpr } from '@strata/promql';
import { prettyExpr } from './pretty';

describe('prettyExpr', () => {
  it('keeps short expressions on one line', () => {
    expect(prettyExpr(parseExpr('sum(rate(foo[5m])) by (job)'))).toBe(
      'sum by (job) (rate(foo[5m]))',
    );
  });

  it('splits long binary expressions, aggregations and calls like Prometheus', () => {
    const q =
      'sum by (job, instance) (rate(http_requests_total{code=~"5.."}[5m])) / on(job, instance) group_left(version) sum by (job, instance, version) (build_info)';
    expect(prettyExpr(parseExpr(q))).toBe(
      [
        '  sum by (job, instance) (rate(http_requests_total{code=~"5.."}[5m]))',
        '/ on (job, instance) group_left (version)',
        '  sum by (job, instance, version) (build_info)',
      ].join('\n'),
    );
    const call = `histogram_quantile(0.99, sum by (le, job, instance) (rate(request_duration_seconds_bucket{job="api"}[5m])))`;
    expect(prettyExpr(parseExpr(call))).toBe(
      [
        'histogram_quantile(',
        '  0.99,',
        '  sum by (le, job, instance) (rate(request_duration_seconds_bucket{job="api"}[5m]))',
        ')',
      ].join('\n'),
    );
  });
});
