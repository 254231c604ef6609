import { Annotations, Labels, type QueryValue, type Series } from '@strata/promql';
import { formatPromValue, serializeQueryResponse, toPromQueryData } from './prom-json';
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

describe('serializeQueryResponse', () => {
  const series = (labels: Record<string, string>, points: Array<[number, number]>): Series => ({
    metric: Labels.fromRecord(labels),
    ts: Float64Array.from(points.map((p) => p[0])),
    vals: Float64Array.from(points.map((p) => p[1])),
    n: points.length,
    dropName: false,
  });
  const reference = (value: QueryValue, annotations: Annotations): string => {
    const { warnings, infos } = annotations;
    return JSON.stringify({
      status: 'success',
      data: toPromQueryData(value),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(infos.length > 0 ? { infos } : {}),
    });
  };

  it('writes exactly what JSON.stringify writes for the shaped response', () => {
    const matrix: QueryValue = {
      type: 'matrix',
      value: [
        series({ __name__: 'up', job: 'a"b\\c\n\u2028', ünï: 'çødé' }, [
          [1500, 1],
          [3000, NaN],
          [4500, Infinity],
          [6000, -Infinity],
          [7500, 1e-7],
          [9000, -0],
        ]),
        series({ '10': 'x', ['__proto__']: 'p', b: 'y' }, [[1_700_000_000_123, 0.1 + 0.2]]),
        series({}, []),
      ],
    };
    const annotations = new Annotations();
    expect(serializeQueryResponse(matrix, annotations)).toBe(reference(matrix, annotations));
    annotations.add({ kind: 'warning', message: 'PromQL warning: "x"' });
    annotations.add({ kind: 'info', message: 'PromQL info: y' });
    expect(serializeQueryResponse(matrix, annotations)).toBe(reference(matrix, annotations));
    const vector: QueryValue = {
      type: 'vector',
      value: [{ metric: Labels.fromRecord({ a: 'b' }), t: 1000, f: 2, dropName: false }],
    };
    expect(serializeQueryResponse(vector, annotations)).toBe(reference(vector, annotations));
    const scalar: QueryValue = { type: 'scalar', value: { t: 1000, v: 2.5 } };
    expect(serializeQueryResponse(scalar, new Annotations())).toBe(
      reference(scalar, new Annotations()),
    );
  });
});
