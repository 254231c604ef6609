import { type Call } from '../../parser/ast';
import { Labels } from '../../storage/labels';
import { Annotations } from '../annotations';
import { RANGE_FUNCTIONS } from './range';
import { CounterResets, type RangeCallContext } from './types';

/** The window rescan the reset index replaced, kept as the reference for bit-identity. */
function rescanCorrection(vs: Float64Array, lo: number, hi: number, start: number): number {
  let result = start;
  let prev = vs[lo];
  for (let i = lo + 1; i < hi; i++) {
    const cur = vs[i];
    if (cur < prev) result += prev;
    prev = cur;
  }
  return result;
}

/** Deterministic PRNG so a failure reproduces. */
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function context(n: number): RangeCallContext {
  return {
    ts: 0,
    rangeStart: 0,
    rangeEnd: 0,
    rangeMs: 300_000,
    scalars: new Float64Array(1),
    metric: Labels.EMPTY,
    annos: new Annotations(),
    call: {} as Call,
    seriesLength: n,
    resets: new CounterResets(),
  };
}

describe('rate, increase and delta over the counter-reset index', () => {
  it('give bit-identical results to rescanning every window, across resets, NaN and odd values', () => {
    const rnd = mulberry32(17);
    const specials = [NaN, Infinity, -Infinity, -0, 0, 1e308, 5e-324, 0.1];
    for (let series = 0; series < 60; series++) {
      const n = 30 + Math.floor(rnd() * 200);
      const ts = new Float64Array(n + 7); // longer than the series, as reused buffers are
      const vs = new Float64Array(n + 7).fill(-1);
      let v = rnd() * 1000;
      for (let i = 0; i < n; i++) {
        ts[i] = 1_000_000 + i * 15_000 + Math.floor(rnd() * 3000);
        const r = rnd();
        if (r < 0.08) v = rnd() * 10;
        else if (r < 0.1) v = specials[Math.floor(rnd() * specials.length)];
        else v = (Number.isFinite(v) ? v : 0) + rnd() * 1e3 * 10 ** Math.floor(rnd() * 6 - 3);
        vs[i] = v;
      }
      const c = context(n);
      c.resets.clear();
      for (let lo = 0; lo < n; lo += 1 + Math.floor(rnd() * 3)) {
        const hi = Math.min(n, lo + 2 + Math.floor(rnd() * 25));
        c.rangeEnd = ts[hi - 1] + Math.floor(rnd() * 20_000);
        c.rangeStart = c.rangeEnd - c.rangeMs;
        for (const name of ['rate', 'increase', 'delta'] as const) {
          const got = RANGE_FUNCTIONS[name](ts, vs, lo, hi, c);
          // The reference: the same function with the rescan's correction and no resets indexed.
          const plain = context(n);
          plain.rangeStart = c.rangeStart;
          plain.rangeEnd = c.rangeEnd;
          const delta = RANGE_FUNCTIONS.delta(ts, vs, lo, hi, plain);
          expect(delta === undefined).toBe(got === undefined);
          if (name === 'delta') {
            expect(Object.is(got, delta)).toBe(true);
            continue;
          }
          const corrected = rescanCorrection(vs, lo, hi, vs[hi - 1] - vs[lo]);
          expect(Object.is(got, expectedCounter(ts, vs, lo, hi, c, corrected, name))).toBe(true);
        }
      }
    }
  });
});

/** Prometheus' extrapolation applied to an already corrected counter increase. */
function expectedCounter(
  ts: Float64Array,
  vs: Float64Array,
  lo: number,
  hi: number,
  c: RangeCallContext,
  result: number,
  name: 'rate' | 'increase',
): number | undefined {
  const n = hi - lo;
  if (n < 2) return undefined;
  const firstT = ts[lo];
  const lastT = ts[hi - 1];
  let durationToStart = (firstT - c.rangeStart) / 1000;
  let durationToEnd = (c.rangeEnd - lastT) / 1000;
  const sampledInterval = (lastT - firstT) / 1000;
  const avgBetween = sampledInterval / (n - 1);
  const threshold = avgBetween * 1.1;
  let extrapolateTo = sampledInterval;
  if (durationToStart >= threshold) durationToStart = avgBetween / 2;
  if (result > 0 && vs[lo] >= 0) {
    const durationToZero = sampledInterval * (vs[lo] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  extrapolateTo += durationToStart;
  if (durationToEnd >= threshold) durationToEnd = avgBetween / 2;
  extrapolateTo += durationToEnd;
  let factor = extrapolateTo / sampledInterval;
  if (name === 'rate') factor /= c.rangeMs / 1000;
  return result * factor;
}
