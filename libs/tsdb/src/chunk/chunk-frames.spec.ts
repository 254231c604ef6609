import { CorruptChunkError } from '../errors';
import { chunkFramesSamples, decodeChunkFrames, encodeChunkFrames } from './chunk-frames';
import { XorChunk } from './xor';

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

  it('refuses frames whose lengths overrun the bytes', () => {
    const frames = encodeChunkFrames([a]);
    expect(() => decodeChunkFrames(frames.subarray(0, frames.length - 1), 0, 1e9)).toThrow(
      CorruptChunkError,
    );
    expect(() => decodeChunkFrames(frames.subarray(0, 3), 0, 1e9)).toThrow(CorruptChunkError);
  });
});
