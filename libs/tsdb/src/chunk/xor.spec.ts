import { XorChunk, xorIteratorFromBytes } from './xor';
import { STALE_NAN, isStaleNaN } from '@strata/contracts';

/** Packs a human-readable bit string (spaces ignored) into bytes, zero-padding the tail. */
function bits(s: string): number[] {
  const clean = s.replace(/\s+/g, '');
  const out: number[] = [];
  for (let i = 0; i < clean.length; i += 8)
    out.push(parseInt(clean.slice(i, i + 8).padEnd(8, '0'), 2));
  return out;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function bitsOf(v: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, v);
  return dv.getBigUint64(0).toString(16);
}

function readAll(c: XorChunk | Uint8Array): Array<[number, number]> {
  const it = c instanceof XorChunk ? c.iterator() : xorIteratorFromBytes(c);
  const out: Array<[number, number]> = [];
  while (it.next()) out.push([it.t, it.v]);
  return out;
}

describe('XorChunk byte layout (tsdb/docs/format/chunks.md)', () => {
  it('writes the count header, a zig-zag varint timestamp and raw float64 bits for the first sample', () => {
    const c = new XorChunk();
    c.append(1000, 1.0);
    // 1000 zig-zags to 2000 = varint d0 0f; 1.0 is 0x3ff0000000000000.
    expect(hex(c.bytes())).toBe('0001' + 'd00f' + '3ff0000000000000');
  });

  it('reads chunks from Prometheus before 2.55, whose writer could leave a trailing zero byte', () => {
    // Until prometheus/prometheus#14854 (Sept 2024) bstream.writeByte appended an extra byte when
    // aligned; current Prometheus, like us, does not. Readers stop by sample count, so both read.
    const old = Uint8Array.from([0x00, 0x01, 0x02, 0x40, 0x00, 0, 0, 0, 0, 0, 0, 0x00]);
    expect(readAll(old)).toEqual([[1, 2]]);
    const c = new XorChunk();
    c.append(1, 2);
    expect(hex(c.bytes())).toBe(hex(old.subarray(0, 11)));
  });

  it('writes a uvarint delta for the second sample and delta-of-delta plus XOR for later ones', () => {
    const c = new XorChunk();
    c.append(1000, 1.0);
    c.append(2000, 1.0); // tDelta 1000 = uvarint e8 07, value unchanged = bit 0
    c.append(3000, 1.0); // dod 0 = bit 0, value unchanged = bit 0
    c.append(4001, 2.0); // dod 1 = '10' + 14-bit 1; xor 0x7ff0.. leading 1, trailing 52, 11 sig bits
    c.append(5002, 0.5); // dod 0; 2.0 ^ 0.5 = 0x7fe0000000000000 fits the previous window
    const expected = [
      0x00,
      0x05,
      0xd0,
      0x0f,
      0x3f,
      0xf0,
      0,
      0,
      0,
      0,
      0,
      0,
      0xe8,
      0x07,
      ...bits(
        '0' + // sample 2 value: unchanged
          '0' +
          '0' + // sample 3: dod 0, value unchanged
          '10' +
          '00000000000001' + // sample 4: dod 1 in 14 bits
          '1' +
          '1' +
          '00001' +
          '001011' +
          '11111111111' + // new window: leading 1, 11 sig bits
          '0' + // sample 5: dod 0
          '1' +
          '0' +
          '11111111110', // reuse window: 0x7fe0.. >> 52 in 11 bits
      ),
    ];
    expect(hex(c.bytes())).toBe(hex(Uint8Array.from(expected)));
    expect(readAll(c)).toEqual([
      [1000, 1],
      [2000, 1],
      [3000, 1],
      [4001, 2],
      [5002, 0.5],
    ]);
  });

  it('uses the 17, 20 and 64-bit delta-of-delta buckets at their boundaries', () => {
    const c = new XorChunk();
    c.append(0, 0);
    c.append(10, 0);
    c.append(20 + 8192, 0); // dod 8192: largest 14-bit value
    c.append(20 + 8192 + 10 + 8192 + 65536, 0); // dod 65536: 17 bits
    c.append(20 + 8192 + 10 + 8192 + 65536 + 10 + 8192 + 65536 + 524288, 0); // dod 524288: 20 bits
    const t5 = 20 + 8192 + 10 + 8192 + 65536 + 10 + 8192 + 65536 + 524288;
    const d5 = t5 - (20 + 8192 + 10 + 8192 + 65536);
    c.append(t5 + d5 + 2 ** 40, 0); // 64-bit bucket
    c.append(t5 + d5 + 2 ** 40 + 1, 0); // huge negative dod
    const got = readAll(c).map(([t]) => t);
    expect(got).toEqual([
      0,
      10,
      8212,
      8212 + 10 + 8192 + 65536,
      t5,
      t5 + d5 + 2 ** 40,
      t5 + d5 + 2 ** 40 + 1,
    ]);
    // Bucket prefixes 10, 110, 1110 and 1111 appear in that order right after the second sample.
    const b = c.bytes();
    const stream = Array.from(b.subarray(2 + 1 + 8 + 1))
      .map((x) => x.toString(2).padStart(8, '0'))
      .join('');
    expect(stream.startsWith('0' + '10' + '10000000000000' + '0')).toBe(true);
  });
});

describe('XorChunk round trips', () => {
  it('preserves NaN, the stale marker bit pattern, infinities, negatives and signed zero', () => {
    const values = [
      NaN,
      STALE_NAN,
      Infinity,
      -Infinity,
      -1.5,
      -0,
      0,
      1e308,
      -1e-308,
      5e-324,
      42,
      STALE_NAN,
    ];
    const c = new XorChunk();
    values.forEach((v, i) => c.append(i * 15_000, v));
    const got = readAll(c);
    const plain = (v: number): string => (isStaleNaN(v) ? 'stale' : bitsOf(v));
    expect(got.map(([, v]) => plain(v))).toEqual(values.map(plain));
    expect(isStaleNaN(got[1][1])).toBe(true);
    expect(isStaleNaN(got[0][1])).toBe(false);
    // The chunk stores Prometheus' exact stale bits, whatever V8 did to the NaN in between.
    const one = new XorChunk();
    one.append(0, STALE_NAN);
    expect(hex(one.bytes()).slice(6)).toBe('7ff0000000000002');
  });

  it('handles negative timestamps, irregular and large deltas', () => {
    const ts = [
      -1_000_000_000_000, -5, 0, 1, 3, 100_000_000, 100_000_001, 1_700_000_000_000,
      1_700_000_000_000,
    ];
    const c = new XorChunk();
    ts.forEach((t, i) => c.append(t, i * 1.1));
    expect(readAll(c)).toEqual(ts.map((t, i) => [t, i * 1.1]));
  });

  it('round trips 120 pseudo-random gauge samples and decodes from copied bytes', () => {
    let seed = 7;
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const samples: Array<[number, number]> = [];
    let t = 1_700_000_000_000;
    for (let i = 0; i < 120; i++) {
      t += 15_000 + Math.floor(rnd() * 200) - 100;
      samples.push([t, rnd() < 0.3 ? (samples[i - 1]?.[1] ?? 0) : rnd() * 1000 - 500]);
    }
    const c = new XorChunk();
    for (const [ts, v] of samples) c.append(ts, v);
    expect(readAll(Uint8Array.from(c.compact()))).toEqual(samples);
    expect(c.numSamples()).toBe(120);
    expect(c.minT()).toBe(samples[0][0]);
    expect(c.maxT()).toBe(samples[119][0]);
  });

  it('iterators see only samples present when they were created, and seek forward', () => {
    const c = new XorChunk();
    c.append(10, 1);
    c.append(20, 2);
    const it = c.iterator();
    c.append(30, 3);
    const out: number[] = [];
    while (it.next()) out.push(it.t);
    expect(out).toEqual([10, 20]);
    const s = c.iterator();
    expect(s.seek(15)).toBe(true);
    expect([s.t, s.v]).toEqual([20, 2]);
    expect(s.seek(31)).toBe(false);
  });

  it('reports truncated bytes as a corrupt chunk', () => {
    const c = new XorChunk();
    for (let i = 0; i < 10; i++) c.append(i * 1000, i * 3.3);
    const cut = c.bytes().slice(0, 12);
    expect(() => readAll(cut)).toThrow(expect.objectContaining({ code: 'corrupt_chunk' }));
  });
});

describe('XorChunk randomized round trips', () => {
  it('decodes exactly what was appended for random timestamps and raw float bit patterns', () => {
    let seed = 12345;
    const next = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed;
    };
    const dv = new DataView(new ArrayBuffer(8));
    for (let round = 0; round < 200; round++) {
      const n = 1 + (next() % 120);
      const samples: Array<[number, number]> = [];
      let t = (next() % 2 ** 20) * 1000 - 2 ** 29;
      let v = 0;
      for (let i = 0; i < n; i++) {
        // Mix every delta-of-delta bucket and every kind of value change.
        const kind = next() % 6;
        t +=
          kind === 0
            ? 15_000
            : kind === 1
              ? next() % 20
              : kind === 2
                ? next() % 200_000
                : kind === 3
                  ? next() % 2_000_000
                  : kind === 4
                    ? next() * 1000
                    : 0;
        if (i > 0 && t === samples[i - 1][0]) t++;
        const vk = next() % 4;
        if (vk === 1) v += 1;
        else if (vk === 2) v = (next() - 2 ** 31) / 7;
        else if (vk === 3) {
          dv.setUint32(0, next());
          dv.setUint32(4, next());
          v = dv.getFloat64(0);
        }
        samples.push([t, v]);
      }
      const c = new XorChunk();
      for (const [ts, val] of samples) c.append(ts, val);
      const got = readAll(Uint8Array.from(c.bytes()));
      expect(got.map(([ts]) => ts)).toEqual(samples.map(([ts]) => ts));
      expect(got.map(([, val]) => (Number.isNaN(val) ? 'NaN' : bitsOf(val)))).toEqual(
        samples.map(([, val]) => (Number.isNaN(val) ? 'NaN' : bitsOf(val))),
      );
    }
  });
});
