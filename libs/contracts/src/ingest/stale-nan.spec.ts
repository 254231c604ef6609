import { STALE_NAN, isStaleNaN } from './stale-nan';

function fromBits(bits: bigint): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, bits);
  return view.getFloat64(0);
}

function bitsOf(v: number): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  return view.getBigUint64(0);
}

describe('the stale marker', () => {
  it("is a NaN with Prometheus' exact bits", () => {
    expect(Number.isNaN(STALE_NAN)).toBe(true);
    expect(bitsOf(STALE_NAN)).toBe(0x7ff0000000000002n);
    expect(isStaleNaN(STALE_NAN)).toBe(true);
    expect(isStaleNaN(fromBits(0x7ff0000000000002n))).toBe(true);
  });

  it('is not an ordinary NaN, nor a NaN with another payload or sign', () => {
    expect(isStaleNaN(NaN)).toBe(false);
    expect(isStaleNaN(0 / 0)).toBe(false);
    expect(isStaleNaN(Math.sqrt(-1))).toBe(false);
    expect(isStaleNaN(fromBits(0x7ff8000000000000n))).toBe(false);
    expect(isStaleNaN(fromBits(0x7ff0000000000001n))).toBe(false);
    expect(isStaleNaN(fromBits(0x7ff0000000000003n))).toBe(false);
    expect(isStaleNaN(fromBits(0xfff0000000000002n))).toBe(false);
  });

  it('is not a number, an infinity or a zero', () => {
    for (const v of [0, -0, 1, -1, 2, Infinity, -Infinity, Number.MAX_VALUE, Number.MIN_VALUE]) {
      expect(isStaleNaN(v)).toBe(false);
    }
  });

  it('stays the stale marker after V8 quiets it on the way through a plain array', () => {
    expect(isStaleNaN(fromBits(0x7ff8000000000002n))).toBe(true);
    // Node 20 stores a pushed signalling NaN quieted; either way it is still the marker.
    const values = [1.5, 2.5];
    values.push(STALE_NAN);
    expect(isStaleNaN(values[2])).toBe(true);
  });
});
