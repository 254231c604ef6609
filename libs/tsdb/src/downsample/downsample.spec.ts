import { xorIteratorFromBytes } from '../chunk/xor';
import { type SampleIterator } from '../iterator';
import { AGGREGATES, ENC_AGGR, RESOLUTION_1H, RESOLUTION_5M, aggrChunkPart } from './aggr-chunk';
import { aggregateIterator, downsampleAggr, downsampleRaw, windowEnd } from './downsample';

function drain(it: SampleIterator): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  while (it.next()) out.push([it.t, it.v]);
  return out;
}

// Two days of a counter scraped every 15 s that resets every 7 hours, and a wobbling gauge.
const step = 15_000;
const ts: number[] = [];
const counter: number[] = [];
const gauge: number[] = [];
for (let t = 0, c = 0; t < 2 * 86_400_000; t += step) {
  c = t % (7 * 3_600_000) === 0 ? 1 : c + 1 + ((t / step) % 5);
  ts.push(t);
  counter.push(c);
  gauge.push(Math.sin(t / 1e6) * 100 + (t % 7));
}

function rawWindows(values: number[], res: number): Map<number, number[]> {
  const w = new Map<number, number[]>();
  ts.forEach((t, i) => {
    const end = windowEnd(t, res);
    const list = w.get(end) ?? [];
    list.push(values[i]);
    w.set(end, list);
  });
  return w;
}

function resetAdjusted(values: number[]): number[] {
  const out: number[] = [];
  let total = 0;
  values.forEach((v, i) => {
    total += i === 0 ? v : v >= values[i - 1] ? v - values[i - 1] : v;
    out.push(total);
  });
  return out;
}

describe('downsampling (Thanos AggrChunks)', () => {
  it.each([
    ['raw to 5m', RESOLUTION_5M, () => downsampleRaw(ts, gauge, RESOLUTION_5M)],
    ['raw to 1h', RESOLUTION_1H, () => downsampleRaw(ts, gauge, RESOLUTION_1H)],
    [
      'raw to 5m to 1h',
      RESOLUTION_1H,
      () => downsampleAggr(downsampleRaw(ts, gauge, RESOLUTION_5M), RESOLUTION_5M, RESOLUTION_1H),
    ],
  ])('%s keeps count, sum, min and max of every window', (_name, res, make) => {
    const chunks = make();
    expect(chunks.every((c) => c.encoding === ENC_AGGR)).toBe(true);
    const expected = [...rawWindows(gauge, res)];
    const got = {
      count: drain(aggregateIterator(chunks, 'count')),
      sum: drain(aggregateIterator(chunks, 'sum')),
      min: drain(aggregateIterator(chunks, 'min')),
      max: drain(aggregateIterator(chunks, 'max')),
    };
    // A window closing a chunk is stamped with its last raw sample, as Thanos does.
    expect(got.count.map(([t]) => windowEnd(t, res))).toEqual(expected.map(([t]) => t));
    expected.forEach(([, vals], i) => {
      expect(got.count[i][1]).toBe(vals.length);
      expect(got.sum[i][1]).toBeCloseTo(
        vals.reduce((a, b) => a + b, 0),
        9,
      );
      expect(got.min[i][1]).toBe(Math.min(...vals));
      expect(got.max[i][1]).toBe(Math.max(...vals));
    });
  });

  it.each([
    ['5m', () => downsampleRaw(ts, counter, RESOLUTION_5M)],
    [
      '5m then 1h',
      () => downsampleAggr(downsampleRaw(ts, counter, RESOLUTION_5M), RESOLUTION_5M, RESOLUTION_1H),
    ],
  ])('the counter aggregate at %s is the reset-adjusted raw counter at window ends', (_n, make) => {
    const chunks = make();
    // Resets fall inside chunks and between them.
    expect(downsampleRaw(ts, counter, RESOLUTION_5M).length).toBeGreaterThan(4);
    const adjusted = resetAdjusted(counter);
    const at = new Map(ts.map((t, i) => [t, adjusted[i]]));
    const got = drain(aggregateIterator(chunks, 'counter'));
    // Every yielded point is the raw total at the last raw sample at or before it.
    for (const [t, v] of got) {
      const rawT = t - (t % step);
      expect(v).toBe(at.get(rawT));
    }
    expect(got[got.length - 1][1]).toBe(adjusted[adjusted.length - 1]);
  });

  it('encodes absent aggregates with a zero length, as Thanos reads them', () => {
    const [c] = downsampleRaw([0, 1000], [1, 2], RESOLUTION_5M);
    for (const a of AGGREGATES) expect(aggrChunkPart(c.data, a)).not.toBeNull();
    const onlyCount = Uint8Array.of(...c.data.subarray(0, 1 + 1 + c.data[0]), 0, 0, 0, 0);
    expect(aggrChunkPart(onlyCount, 'sum')).toBeNull();
    expect(drain(xorIteratorFromBytes(aggrChunkPart(onlyCount, 'count')!))).toEqual([[1000, 2]]);
  });
});
