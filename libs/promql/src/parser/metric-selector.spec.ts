import { ParseError } from './parse-error';
import { parseExpr, parseMetricSelector } from './parser';

describe('parseMetricSelector (Prometheus ParseMetricSelector)', () => {
  it('accepts selectors a query refuses, whose matchers all match the empty value', () => {
    expect(() => parseExpr('{job!="api"}')).toThrow(
      'vector selector must contain at least one non-empty matcher',
    );
    expect(parseMetricSelector('{job!="api"}')?.matchers).toEqual([
      expect.objectContaining({ name: 'job', op: '!=', value: 'api' }),
    ]);
    expect(parseMetricSelector('{}')?.matchers).toEqual([]);
    expect(
      parseMetricSelector('up{job="a"}')
        ?.matchers.map((m) => m.name)
        .sort(),
    ).toEqual(['__name__', 'job']);
  });

  it('still refuses what does not parse, and tells a non-selector apart', () => {
    expect(() => parseMetricSelector('up{')).toThrow(ParseError);
    expect(() => parseMetricSelector('')).toThrow('no expression found in input');
    expect(parseMetricSelector('sum(up)')).toBeNull();
  });
});
