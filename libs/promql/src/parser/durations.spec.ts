import { formatDuration, parseDuration } from './durations';
import { formatFloat, parseNumber } from './numbers';
import { goQuote } from './strings';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['5m', 300000],
    ['1h30m', 5400000],
    ['1y', 31536000000],
    ['2w', 1209600000],
    ['1d2h3m4s5ms', 93784005],
    ['150ms', 150],
  ])('%s is %d ms', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each([
    ['', 'empty duration string'],
    ['5m1h', 'not a valid duration string: "5m1h"'],
    ['5m1m', 'not a valid duration string: "5m1m"'],
    ['5y1hs', 'unknown unit "hs" in duration "5y1hs"'],
    ['m', 'not a valid duration string: "m"'],
    ['300000y', 'duration out of range'],
  ])('rejects %j', (s, msg) => {
    expect(() => parseDuration(s)).toThrow(msg);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [90000, '1m30s'],
    [86400000 * 14, '2w'],
    [86400000 * 15, '15d'],
    [31536000000, '1y'],
    [31536000000 + 86400000, '366d'],
    [1500, '1s500ms'],
  ])('%d ms is %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });
});

describe('numbers', () => {
  it.each([
    ['0x1f', 31],
    ['010', 8],
    ['08', 8],
    ['1_000_000', 1000000],
    ['1.5e3', 1500],
    ['9223372036854775807', 2 ** 63],
    ['99999999999999999999', 1e20],
  ])('parses %s', (s, v) => {
    expect(parseNumber(s)).toBe(v);
  });

  it('reports overflow like strconv.ParseFloat', () => {
    expect(() => parseNumber('1e400')).toThrow(
      'strconv.ParseFloat: parsing "1e400": value out of range',
    );
  });

  it.each([
    [1e21, '1000000000000000000000'],
    [1.5e-7, '0.00000015'],
    [-0.25, '-0.25'],
    [123456789.125, '123456789.125'],
    [NaN, 'NaN'],
    [-Infinity, '-Inf'],
  ])('formats %d like FormatFloat(f, -1)', (v, s) => {
    expect(formatFloat(v)).toBe(s);
  });

  it('quotes like strconv.Quote', () => {
    expect(goQuote('a"b\\c\n\u0007\u00e9\u200b😀')).toBe('"a\\"b\\\\c\\n\\aé\\u200b😀"');
  });
});
