import { CorruptChunkError } from '../errors';
import {
  chunkFramesSamples,
  chunkFramesStartWithin,
  decodeChunkFrames,
  decodeChunkFramesInto,
  encodeChunkFrames,
} from './chunk-frames';
import { STALE_NAN, isStaleNaN } from '@strata/contracts';
import { XorChunk, xorIteratorFromBytes } from './xor';

function chunkOf(samples: Array<[number, number]>): Uint8Array {
  const c = new XorChunk();
  for (const [t, v] of samples) c.append(t, v);
  return c.compact();
}

describe('chunk frames (XOR chunks of one series in one byte string)', () => {
  const a = chunkOf([
    [1000, 1],
    [2000, 2.5],
    [3000, -4],
  ]);
  const b = chunkOf([
    [4000, 8],
    [5000, Infinity],
  ]);

  it('decodes every chunk in order and keeps only samples inside the window', () => {
    const frames = encodeChunkFrames([a, b]);
    expect(chunkFramesSamples([a, b])).toBe(5);
    const all = decodeChunkFrames(frames, 0, 10_000);
    expect(Array.from(all.timestamps)).toEqual([1000, 2000, 3000, 4000, 5000]);
    expect(Array.from(all.values)).toEqual([1, 2.5, -4, 8, Infinity]);
    const window = decodeChunkFrames(frames, 2000, 4000);
    expect(Array.from(window.timestamps)).toEqual([2000, 3000, 4000]);
    expect(Array.from(window.values)).toEqual([2.5, -4, 8]);
    expect(decodeChunkFrames(encodeChunkFrames([]), 0, 1).timestamps).toHaveLength(0);
  });

  it('decodes exactly what the chunk iterator reads, over irregular times and every kind of value', () => {
    // A small deterministic generator, so a failure is repeatable.
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values = [0, -0, 1, 1.5, -3, 1e300, -1e-300, 5e-324, NaN, Infinity, -Infinity, STALE_NAN];
    for (let round = 0; round < 200; round++) {
      const c = new XorChunk();
      let t = Math.floor(rand() * 2e12) - 1e12;
      const count = 1 + Math.floor(rand() * 300);
      for (let i = 0; i < count; i++) {
        const r = rand();
        // Steady steps, jitter, and the four sizes of delta-of-delta, up to 64 bits.
        t +=
          r < 0.4
            ? 15_000
            : r < 0.6
              ? Math.floor(rand() * 30)
              : r < 0.7
                ? Math.floor(rand() * 100_000)
                : r < 0.8
                  ? Math.floor(rand() * 1e6)
                  : r < 0.9
                    ? Math.floor(rand() * 1e10)
                    : 0;
        const k = rand();
        const v =
          k < 0.3
            ? values[Math.floor(rand() * values.length)]
            : k < 0.6
              ? Math.floor(rand() * 1000)
              : k < 0.8
                ? rand() * 1e6
                : (rand() - 0.5) * 10 ** Math.floor(rand() * 40 - 20);
        c.append(t, v);
      }
      const bytes = c.compact();
      const it = xorIteratorFromBytes(bytes);
      const want: Array<[number, number]> = [];
      while (it.next()) want.push([it.t, it.v]);
      const mint = want[Math.floor(rand() * want.length)][0];
      const got = decodeChunkFrames(encodeChunkFrames([bytes]), mint, Infinity);
      const kept = want.filter(([wt]) => wt >= mint);
      expect(Array.from(got.timestamps)).toEqual(kept.map(([wt]) => wt));
      kept.forEach(([, wv], i) => {
        expect([Object.is(got.values[i], wv), isStaleNaN(got.values[i])]).toEqual([
          true,
          isStaleNaN(wv),
        ]);
      });
    }
  });

  it('decodes series after series into one buffer, growing it only for a longer series', () => {
    const into = { ts: new Float64Array(0), vs: new Float64Array(0) };
    expect(decodeChunkFramesInto(encodeChunkFrames([a, b]), 2000, 4000, into)).toBe(3);
    expect(Array.from(into.ts.subarray(0, 3))).toEqual([2000, 3000, 4000]);
    expect(Array.from(into.vs.subarray(0, 3))).toEqual([2.5, -4, 8]);
    const grown = into.ts;
    expect(grown.length).toBeGreaterThanOrEqual(5);
    // A shorter series reuses the arrays and overwrites from index 0.
    expect(decodeChunkFramesInto(encodeChunkFrames([b]), 0, 10_000, into)).toBe(2);
    expect(into.ts).toBe(grown);
    expect(Array.from(into.ts.subarray(0, 2))).toEqual([4000, 5000]);
    expect(Array.from(into.vs.subarray(0, 2))).toEqual([8, Infinity]);
  });

  it('proves a sample inside a window from the chunk headers only when a chunk starts inside it', () => {
    const frames = encodeChunkFrames([a, b]);
    // Chunk a starts at 1000, chunk b at 4000.
    expect(chunkFramesStartWithin(frames, 4000, 4000)).toBe(true);
    expect(chunkFramesStartWithin(frames, 0, 1000)).toBe(true);
    expect(chunkFramesStartWithin(frames, 500, 999)).toBe(false);
    // Samples at 2000 and 3000 are inside, yet no chunk starts there: only decoding tells.
    expect(chunkFramesStartWithin(frames, 1500, 3500)).toBe(false);
    expect(chunkFramesStartWithin(encodeChunkFrames([]), 0, 1e9)).toBe(false);
    const negative = chunkOf([
      [-5000, 1],
      [-4000, 2],
    ]);
    expect(chunkFramesStartWithin(encodeChunkFrames([negative]), -5000, -5000)).toBe(true);
    expect(chunkFramesStartWithin(encodeChunkFrames([negative]), -4999, 0)).toBe(false);
    const late = chunkOf([[1_700_000_000_000, 1]]);
    expect(chunkFramesStartWithin(encodeChunkFrames([late]), 1_700_000_000_000, Infinity)).toBe(
      true,
    );
  });

  it('refuses frames whose lengths overrun the bytes', () => {
    const frames = encodeChunkFrames([a]);
    expect(() => decodeChunkFrames(frames.subarray(0, frames.length - 1), 0, 1e9)).toThrow(
      CorruptChunkError,
    );
    expect(() => decodeChunkFrames(frames.subarray(0, 3), 0, 1e9)).toThrow(CorruptChunkError);
    const into = { ts: new Float64Array(8), vs: new Float64Array(8) };
    expect(() =>
      decodeChunkFramesInto(frames.subarray(0, frames.length - 1), 0, 1e9, into),
    ).toThrow(CorruptChunkError);
    expect(() => chunkFramesStartWithin(frames.subarray(0, 3), 0, 1e9)).toThrow(CorruptChunkError);
  });
});
