import { formatPromValue } from './prom-json';
import { formatGoDuration } from './go-duration';

describe('formatPromValue', () => {
  it.each([
    [1.5, '1.5'],
    [0, '0'],
    [-0, '-0'],
    [1e6, '1000000'],
    [123456789012, '123456789012'],
    [1e21, '1e+21'],
    [1.5e22, '1.5e+22'],
    [1e-6, '0.000001'],
    [1e-7, '1e-07'],
    [-2.5e-10, '-2.5e-10'],
    [0.1 + 0.2, '0.30000000000000004'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [5e-324, '5e-324'],
  ])('formats %p as Prometheus does', (v, text) => {
    expect(formatPromValue(v)).toBe(text);
  });
});

describe('formatGoDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [1500, '1.5s'],
    [90_000, '1m30s'],
    [721 * 3_600_000, '721h0m0s'],
  ])('formats %p ms as Go does', (ms, text) => {
    expect(formatGoDuration(ms)).toBe(text);
  });
});
