import { completions } from './completions';
import { denseBuckets } from './histogram-buckets';

describe("the explorer's completions", () => {
  const metrics = ['http_requests_total', 'http_errors_total', 'up'];
  const labels = ['instance', 'job', 'code'];

  it('offers metric names for the word being typed, and every metric in an empty field', () => {
    expect(completions('', metrics, labels)).toEqual(metrics);
    expect(completions('sum(rate(http_r', metrics, labels)).toEqual([
      'sum(rate(http_requests_total',
    ]);
    expect(completions('sum(', metrics, labels)).toEqual([]);
  });

  it('offers label names inside braces and grouping clauses', () => {
    expect(completions('up{j', metrics, labels)).toEqual(['up{job']);
    expect(completions('up{job="a", ', metrics, labels)).toEqual([
      'up{job="a", instance',
      'up{job="a", job',
      'up{job="a", code',
    ]);
    expect(completions('sum by (in', metrics, labels)).toEqual(['sum by (instance']);
    // Once the braces close, a metric name is what comes next again.
    expect(completions('up{job="a"} / u', metrics, labels)).toEqual(['up{job="a"} / up']);
    expect(completions('up{job="a"} / ht', metrics, labels)).toEqual([
      'up{job="a"} / http_requests_total',
      'up{job="a"} / http_errors_total',
    ]);
  });
});

describe("the events page's histogram", () => {
  it('has a bucket for every step of the range, with the API counts where they fall', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const end = start + 3_600_000;
    const buckets = denseBuckets(
      [
        { time: '2026-01-01T00:10:00Z', count: 2 },
        { time: '2026-01-01T00:55:00Z', count: 5 },
      ],
      start,
      end,
      300_000,
    );
    expect(buckets).toHaveLength(12);
    expect(buckets[2]).toEqual({ time: '2026-01-01T00:10:00.000Z', count: 2 });
    expect(buckets[11]).toEqual({ time: '2026-01-01T00:55:00.000Z', count: 5 });
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(7);
  });
});
