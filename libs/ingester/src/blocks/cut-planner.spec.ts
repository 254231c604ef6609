import { alignDown, dueRanges, nextDueRange } from './cut-planner';
import { blockUlid } from './block-ulid';

const H = 3_600_000;
const D = 2 * H;

describe('block cut planner', () => {
  it('aligns ranges to multiples of the block duration, as Prometheus does', () => {
    expect(alignDown(0, D)).toBe(0);
    expect(alignDown(D - 1, D)).toBe(0);
    expect(alignDown(D, D)).toBe(D);
    expect(alignDown(-1, D)).toBe(-D);
    const r = nextDueRange({ minT: 5 * H + 17, maxT: 9 * H, outOfOrderWindow: 0 }, -Infinity, D);
    expect(r).toEqual({ mint: 4 * H, maxt: 6 * H });
  });

  it('cuts a range only once the head accepts no sample in it (maxT - duration/2)', () => {
    const head = (maxT: number) => ({ minT: 0, maxT, outOfOrderWindow: 0 });
    expect(nextDueRange(head(D), -Infinity, D)).toBeNull();
    expect(nextDueRange(head(D + D / 2 - 1), -Infinity, D)).toBeNull();
    expect(nextDueRange(head(D + D / 2), -Infinity, D)).toEqual({ mint: 0, maxt: D });
  });

  it('waits for the out-of-order window when it is longer than half a block', () => {
    const head = { minT: 0, maxT: D + D / 2, outOfOrderWindow: H + 1 };
    expect(nextDueRange(head, -Infinity, D)).toBeNull();
    expect(nextDueRange({ ...head, maxT: D + H + 1 }, -Infinity, D)).toEqual({ mint: 0, maxt: D });
  });

  it('starts after what is shipped and lists every due range oldest first', () => {
    const head = { minT: 10, maxT: 4 * D + D / 2, outOfOrderWindow: 0 };
    expect(dueRanges(head, -Infinity, D).map((r) => r.mint)).toEqual([0, D, 2 * D, 3 * D]);
    // The head still holds the last shipped range for queries; shipped data is not cut again.
    expect(dueRanges(head, 2 * D, D).map((r) => r.mint)).toEqual([2 * D, 3 * D]);
    expect(dueRanges(head, 4 * D, D)).toEqual([]);
  });

  it('has nothing due for an empty head', () => {
    expect(
      nextDueRange({ minT: Infinity, maxT: -Infinity, outOfOrderWindow: 0 }, -Infinity, D),
    ).toBeNull();
  });

  it('works with short durations used in tests', () => {
    const s = 10_000;
    expect(
      dueRanges({ minT: 1_000_003, maxT: 1_030_000, outOfOrderWindow: 0 }, -Infinity, s),
    ).toEqual([
      { mint: 1_000_000, maxt: 1_010_000 },
      { mint: 1_010_000, maxt: 1_020_000 },
    ]);
  });
});

describe('block ULIDs', () => {
  it('name the same partition, tenant and range the same, anything else differently', () => {
    const r = { mint: 0, maxt: D };
    const id = blockUlid(3, 'acme', r);
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(blockUlid(3, 'acme', r)).toBe(id);
    expect(blockUlid(4, 'acme', r)).not.toBe(id);
    expect(blockUlid(3, 'other', r)).not.toBe(id);
    expect(blockUlid(3, 'acme', { mint: D, maxt: 2 * D })).not.toBe(id);
  });

  it('sort by the end of their range, as ULIDs sort by time', () => {
    const a = blockUlid(0, 't', { mint: 0, maxt: D });
    const b = blockUlid(0, 't', { mint: D, maxt: 2 * D });
    expect(a < b).toBe(true);
  });
});
