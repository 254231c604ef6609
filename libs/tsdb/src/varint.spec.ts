import {
  UVARINT_OVERFLOW,
  UVARINT_TRUNCATED,
  putUvarint,
  readUvarint,
  unzigzag,
  zigzag,
} from './varint';

const cursor = (bytes: number[]) => ({ buf: Uint8Array.from(bytes), off: 0, end: bytes.length });

describe('uvarint', () => {
  it("writes Go's encoding and reads it back, up to 2^53", () => {
    // Byte strings from Go's binary.PutUvarint.
    const cases: Array<[number, number[]]> = [
      [0, [0x00]],
      [1, [0x01]],
      [127, [0x7f]],
      [128, [0x80, 0x01]],
      [300, [0xac, 0x02]],
      [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
      [2 ** 53 - 1, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [v, bytes] of cases) {
      const buf = new Uint8Array(10);
      expect(putUvarint(buf, 0, v)).toBe(bytes.length);
      expect([...buf.subarray(0, bytes.length)]).toEqual(bytes);
      const c = cursor(bytes);
      expect(readUvarint(c)).toBe(v);
      expect(c.off).toBe(bytes.length);
    }
  });

  it('reads from the cursor position and stops at the first byte below 0x80', () => {
    const c = { buf: Uint8Array.from([9, 0xac, 0x02, 7]), off: 1, end: 4 };
    expect(readUvarint(c)).toBe(300);
    expect(c.off).toBe(3);
    expect(readUvarint(c)).toBe(7);
  });

  it('refuses bytes that end inside a varint or run past 10 bytes, and stays put', () => {
    const cut = { buf: Uint8Array.from([0xac, 0x02]), off: 0, end: 1 };
    expect(readUvarint(cut)).toBe(UVARINT_TRUNCATED);
    expect(cut.off).toBe(0);
    const long = cursor(new Array<number>(11).fill(0x80));
    expect(readUvarint(long)).toBe(UVARINT_OVERFLOW);
    expect(long.off).toBe(0);
  });
});

describe('zig-zag', () => {
  it("maps signed integers as Go's binary.PutVarint does, and back", () => {
    const cases: Array<[number, number]> = [
      [0, 0],
      [-1, 1],
      [1, 2],
      [-2, 3],
      [2 ** 52, 2 ** 53],
      [-(2 ** 52), 2 ** 53 - 1],
    ];
    for (const [v, zz] of cases) {
      expect(zigzag(v)).toBe(zz);
      expect(unzigzag(zz)).toBe(v);
    }
  });
});
