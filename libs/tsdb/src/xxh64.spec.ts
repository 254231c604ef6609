import { xxh64 } from '@node-rs/xxhash';
import { encodeLabelBlock } from './label-block';
import { labelsFrom, labelsHash } from './labels';
import { xxh64Into } from './xxh64';

/** The hash as one BigInt, from the halves `xxh64Into` writes. */
function hashOf(buf: Uint8Array, start: number, end: number): bigint {
  const out = new Int32Array(2);
  const lo = xxh64Into(buf, start, end, out);
  expect(lo).toBe(out[0]);
  return (BigInt(out[1] >>> 0) << 32n) | BigInt(out[0] >>> 0);
}

describe('xxh64Into', () => {
  it('gives the published xxHash64 values', () => {
    expect(hashOf(Buffer.alloc(0), 0, 0)).toBe(0xef46db3751d8e999n);
    const abc = Buffer.from('abc');
    expect(hashOf(abc, 0, 3)).toBe(0x44bc2cf5ad770999n);
  });

  it('equals the native xxh64 at every length through all of its tail and stripe cases', () => {
    // Bytes of every value, high bits included, from a fixed generator so a failure repeats.
    const buf = Buffer.alloc(600);
    let x = 0x9e3779b9;
    for (let i = 0; i < buf.length; i++) {
      x = (Math.imul(x, 1103515245) + 12345) >>> 0;
      buf[i] = x >>> 24;
    }
    for (let len = 0; len <= 300; len++) {
      for (const start of [0, 1, 7, 250]) {
        const end = start + len;
        expect([len, start, hashOf(buf, start, end)]).toEqual([
          len,
          start,
          xxh64(buf.subarray(start, end)),
        ]);
      }
    }
  });

  it('equals it for an input longer than its 64 KiB of WebAssembly memory', () => {
    const big = Buffer.alloc(70_000, 'abcdefghij');
    expect(hashOf(big, 3, big.length)).toBe(xxh64(big.subarray(3)));
  });

  it('gives labelsHash of the labels a block encodes', () => {
    const labels = labelsFrom({ __name__: 'node_cpu_seconds_total', cpu: '3', mode: 'idle' });
    const block = encodeLabelBlock(labels);
    const arena = Buffer.concat([Buffer.from('before'), block, Buffer.from('after')]);
    expect(hashOf(arena, 6, 6 + block.length)).toBe(labelsHash(labels));
  });
});
