import { BitReader, BitWriter, writeUvarint, writeVarint } from './chunk/bstream';
import {
  ArrayIterator,
  ChainIterator,
  MergeIterator,
  RangeIterator,
  type SampleIterator,
} from './iterator';

function drain(it: SampleIterator): number[] {
  const out: number[] = [];
  while (it.next()) out.push(it.t);
  return out;
}
const arr = (...ts: number[]): ArrayIterator =>
  new ArrayIterator(
    ts,
    ts.map((t) => t * 10),
  );

describe('sample iterators', () => {
  it('merge sorted streams, preferring the first on equal timestamps', () => {
    const m = new MergeIterator(arr(1, 3, 5), new ArrayIterator([2, 3, 6], [0, 0, 0]));
    const got: Array<[number, number]> = [];
    while (m.next()) got.push([m.t, m.v]);
    expect(got).toEqual([
      [1, 10],
      [2, 0],
      [3, 30],
      [5, 50],
      [6, 0],
    ]);
  });

  it('chain non-overlapping parts and seek across them', () => {
    expect(drain(new ChainIterator([arr(1, 2), arr(), arr(5, 6)]))).toEqual([1, 2, 5, 6]);
    const c = new ChainIterator([arr(1, 2), arr(5, 6)]);
    expect(c.seek(4)).toBe(true);
    expect(c.t).toBe(5);
    expect(drain(c)).toEqual([6]);
  });

  it('restrict to an inclusive time range', () => {
    expect(drain(new RangeIterator(arr(1, 2, 3, 4, 5), 2, 4))).toEqual([2, 3, 4]);
    const r = new RangeIterator(arr(1, 2, 3, 4, 5), 2, 4);
    expect(r.seek(0)).toBe(true);
    expect(r.t).toBe(2);
    expect(r.seek(5)).toBe(false);
  });
});

describe('bit stream', () => {
  it('reads back mixed-width writes, varints included', () => {
    const w = new BitWriter(1);
    w.writeBit(1);
    w.writeBits(0b101, 3);
    w.writeBits64(0xdeadbeef, 0x01234567, 64);
    writeVarint(w, -123456789);
    writeUvarint(w, 2 ** 50 + 3);
    w.writeBits(0x7f, 7);
    const r = new BitReader(w.bytes(), 0, w.length);
    expect(r.readBit()).toBe(1);
    expect(r.readBits(3)).toBe(0b101);
    r.readBits64(64);
    expect([r.hi, r.lo]).toEqual([0xdeadbeef, 0x01234567]);
    expect(r.readVarint()).toBe(-123456789);
    expect(r.readUvarint()).toBe(2 ** 50 + 3);
    expect(r.readBits(7)).toBe(0x7f);
    expect(() => r.readBits(8)).toThrow(expect.objectContaining({ code: 'corrupt_chunk' }));
  });
});
