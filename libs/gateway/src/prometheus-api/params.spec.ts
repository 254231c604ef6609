import {
  ApiParams,
  parseDurationNs,
  parseGoBool,
  parseTime,
  partialResponseParam,
  rangeParams,
  unescapeLabelName,
  validLabelName,
} from './params';
import { type PromApiError } from '@strata/contracts';

const params = (
  q: Record<string, string | string[]>,
  body: Record<string, string | string[]> = {},
): ApiParams => new ApiParams(q, body);

describe('Prometheus API parameters', () => {
  it('parses unix seconds with millisecond rounding and RFC3339 with nanoseconds', () => {
    expect(parseTime('1700000000')).toBe(1_700_000_000_000);
    expect(parseTime('1700000000.1234')).toBe(1_700_000_000_123);
    expect(parseTime('1.5e9')).toBe(1_500_000_000_000);
    expect(parseTime('-1.5')).toBe(-1500);
    expect(parseTime('2023-11-14T22:13:20Z')).toBe(1_700_000_000_000);
    expect(parseTime('2023-11-14T22:13:20.123456789Z')).toBe(1_700_000_000_123);
    expect(parseTime('2023-11-15T00:13:20+02:00')).toBe(1_700_000_000_000);
    expect(() => parseTime('yesterday')).toThrow('cannot parse "yesterday" to a valid timestamp');
    expect(() => parseTime('')).toThrow('cannot parse "" to a valid timestamp');
  });

  it('parses durations as float seconds or PromQL durations', () => {
    expect(parseDurationNs('15')).toBe(15e9);
    expect(parseDurationNs('0.5')).toBe(5e8);
    expect(parseDurationNs('5m')).toBe(300e9);
    expect(parseDurationNs('1h30m')).toBe(5400e9);
    expect(() => parseDurationNs('often')).toThrow('cannot parse "often" to a valid duration');
    expect(() => parseDurationNs('1e20')).toThrow(
      'cannot parse "1e20" to a valid duration. It overflows int64',
    );
  });

  it('reads form bodies before the URL query, and every match[]', () => {
    const p = params({ query: 'a', 'match[]': ['x', 'y'] }, { query: 'b', 'match[]': 'z' });
    expect(p.get('query')).toBe('b');
    expect(p.all('match[]')).toEqual(['z', 'x', 'y']);
    expect(p.get('absent')).toBe('');
  });

  it("validates range parameters with Prometheus' messages", () => {
    expect(rangeParams(params({ start: '0', end: '60', step: '15s' }))).toEqual({
      startMs: 0,
      endMs: 60_000,
      stepMs: 15_000,
    });
    const fail = (q: Record<string, string>): string => {
      try {
        rangeParams(params(q));
      } catch (e) {
        return `${(e as PromApiError).errorType}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(fail({ start: '10', end: '0', step: '1' })).toBe(
      'bad_data: invalid parameter "end": end timestamp must not be before start time',
    );
    expect(fail({ start: '0', end: '10', step: '0' })).toBe(
      'bad_data: invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
    );
    expect(fail({ start: '0', end: '11001', step: '1' })).toBe(
      'bad_data: exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
    );
    expect(fail({ start: '0', end: '11000', step: '1' })).toBe('no error');
    expect(fail({ end: '1', step: '1' })).toBe(
      'bad_data: invalid parameter "start": cannot parse "" to a valid timestamp',
    );
  });

  it("reads partial_response with Go's ParseBool, absent as the service's default, and refuses anything else as Thanos does", () => {
    for (const v of ['1', 't', 'T', 'TRUE', 'true', 'True']) expect(parseGoBool(v)).toBe(true);
    for (const v of ['0', 'f', 'F', 'FALSE', 'false', 'False']) expect(parseGoBool(v)).toBe(false);
    for (const v of ['yes', 'tRUE', ' true', 'on', '2']) expect(parseGoBool(v)).toBeNull();
    expect(partialResponseParam(params({}))).toBeNull();
    expect(partialResponseParam(params({ partial_response: '' }))).toBeNull();
    expect(partialResponseParam(params({ partial_response: 'true' }))).toBe(true);
    expect(
      partialResponseParam(params({ partial_response: 'true' }, { partial_response: '0' })),
    ).toBe(false);
    let refused: PromApiError | null = null;
    try {
      partialResponseParam(params({ partial_response: 'yes' }));
    } catch (e) {
      refused = e as PromApiError;
    }
    expect(refused && [refused.errorType, refused.message]).toEqual([
      'bad_data',
      `'partial_response' parameter: strconv.ParseBool: parsing "yes": invalid syntax`,
    ]);
  });

  it('decodes U__-escaped label names from paths', () => {
    expect(unescapeLabelName('job')).toBe('job');
    expect(unescapeLabelName('U__host_2e_name')).toBe('host.name');
    expect(unescapeLabelName('U__a__b')).toBe('a_b');
    expect(unescapeLabelName('U__caf_e9_')).toBe('café');
    expect(unescapeLabelName('U__bad_zz_')).toBe('U__bad_zz_');
  });

  it('accepts UTF-8 label names as Prometheus 3 does', () => {
    expect(validLabelName('job')).toBe(true);
    expect(validLabelName('host.name')).toBe(true);
    expect(validLabelName('')).toBe(false);
    expect(validLabelName('\uD800')).toBe(false);
  });
});
