import { CorruptChunkError } from '../errors';
import { chunkFramesSamples, decodeChunkFrames, encodeChunkFrames } from './chunk-frames';
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

  it('refuses frames whose lengths overrun the bytes', () => {
    const frames = encodeChunkFrames([a]);
    expect(() => decodeChunkFrames(frames.subarray(0, frames.length - 1), 0, 1e9)).toThrow(
      CorruptChunkError,
    );
    expect(() => decodeChunkFrames(frames.subarray(0, 3), 0, 1e9)).toThrow(CorruptChunkError);
  });
});
