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

  it('writes a matrix of random values, timestamps and grids byte for byte as the reference does', () => {
    let seed = 0x5eed;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const specials = [NaN, Infinity, -Infinity, -0, 0, 5e-324, 1.7976931348623157e308, 1e21, 1e-6];
    const value = (): number => {
      const r = rnd();
      if (r < 0.1) return specials[Math.floor(rnd() * specials.length)];
      const sign = rnd() < 0.3 ? -1 : 1;
      if (r < 0.4) return sign * rnd() * 10 ** Math.floor(rnd() * 640 - 320);
      if (r < 0.6) return sign * Math.floor(rnd() * 1e6);
      return sign * rnd() * 10 ** Math.floor(rnd() * 30 - 10);
    };
    for (let round = 0; round < 20; round++) {
      const start = Math.floor(rnd() * 2e12);
      const step = 1 + Math.floor(rnd() * 60_000);
      const points = Math.floor(rnd() * 300);
      const value_: Series[] = [];
      for (let k = 0; k < 1 + Math.floor(rnd() * 30); k++) {
        // Some series skip steps, so the shared-grid text must not leak from one to the next.
        const pts: Array<[number, number]> = [];
        const sparse = rnd() < 0.3;
        for (let i = 0; i < points; i++) {
          if (sparse && rnd() < 0.4) continue;
          pts.push([start + i * step + (rnd() < 0.02 ? 0.5 : 0), value()]);
        }
        value_.push(series({ __name__: `m${k}`, pod: `p${Math.floor(rnd() * 5)}` }, pts));
      }
      const matrix: QueryValue = { type: 'matrix', value: value_ };
      const annotations = new Annotations();
      if (rnd() < 0.5) annotations.add({ kind: 'info', message: `info ${round}` });
      expect(serializeQueryResponse(matrix, annotations)).toBe(reference(matrix, annotations));
    }
  });
});
