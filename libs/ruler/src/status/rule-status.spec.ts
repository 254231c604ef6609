import { goExponent, goTime } from './rule-status';

describe('Go formatting of the rules API', () => {
  it('formats values as strconv.FormatFloat(v, e, -1, 64)', () => {
    expect([1, 0, 2.5e-3, -123456.789, 1e21, NaN, Infinity, -Infinity].map(goExponent)).toEqual([
      '1e+00',
      '0e+00',
      '2.5e-03',
      '-1.23456789e+05',
      '1e+21',
      'NaN',
      '+Inf',
      '-Inf',
    ]);
  });

  it('formats times as Go marshals time.Time in UTC, and the zero time before any evaluation', () => {
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5, 600))).toBe('2024-01-02T03:04:05.6Z');
    expect(goTime(Date.UTC(2024, 0, 2, 3, 4, 5, 0))).toBe('2024-01-02T03:04:05Z');
    expect(goTime(null)).toBe('0001-01-01T00:00:00Z');
  });
});
