import {
  parsePromDurationMs,
  parseStoreTimeBoundaries,
  storeShardOfTenant,
  storeSubjectShard,
  storeTimePartitionsFor,
  storeTimeRange,
} from './store-sharding';

const H = 3_600_000;
const D = 24 * H;

describe('store sharding by tenant', () => {
  const tenants = Array.from({ length: 2000 }, (_, i) => `tenant-${i}`);

  it('places every tenant on one shard, the same one every time, spread over all shards', () => {
    const counts = new Array<number>(8).fill(0);
    for (const t of tenants) {
      const s = storeShardOfTenant(t, 8);
      expect(s).toBe(storeShardOfTenant(t, 8));
      counts[s]++;
    }
    // 250 each on average; a hash that clusters would leave shards nearly empty.
    for (const c of counts) expect(c).toBeGreaterThan(150);
    expect(storeShardOfTenant('anyone', 1)).toBe(0);
  });

  it('moves only the tenants the new shard wins when a shard is added (consistent)', () => {
    const moved = tenants.filter((t) => storeShardOfTenant(t, 8) !== storeShardOfTenant(t, 9));
    expect(moved.every((t) => storeShardOfTenant(t, 9) === 8)).toBe(true);
    expect(moved.length).toBeLessThan(tenants.length / 5);
  });
});

describe('store sharding by time', () => {
  const now = 1_700_000_000_000;

  it('parses durations and boundaries oldest first', () => {
    expect(parsePromDurationMs('1h30m')).toBe(90 * 60_000);
    expect(parsePromDurationMs('0s')).toBe(0);
    expect(() => parsePromDurationMs('1x')).toThrow();
    expect(() => parsePromDurationMs('')).toThrow();
    expect(parseStoreTimeBoundaries('')).toEqual([]);
    expect(parseStoreTimeBoundaries('14d, 2d')).toEqual([14 * D, 2 * D]);
    expect(() => parseStoreTimeBoundaries('2d,14d')).toThrow(/oldest to newest/);
  });

  it('splits all time into adjacent [minTime, maxTime) ranges relative to now', () => {
    const b = parseStoreTimeBoundaries('14d,2d');
    expect(storeTimeRange(b, 0, now)).toEqual({ minTime: -Infinity, maxTime: now - 14 * D });
    expect(storeTimeRange(b, 1, now)).toEqual({ minTime: now - 14 * D, maxTime: now - 2 * D });
    expect(storeTimeRange(b, 2, now)).toEqual({ minTime: now - 2 * D, maxTime: Infinity });
    expect(() => storeTimeRange(b, 3, now)).toThrow();
    expect(storeTimeRange([], 0, now)).toEqual({ minTime: -Infinity, maxTime: Infinity });
  });

  it('asks only the time partitions an inclusive window meets', () => {
    const b = parseStoreTimeBoundaries('14d,2d');
    expect(storeTimePartitionsFor(b, now - 30 * D, now, now)).toEqual([0, 1, 2]);
    expect(storeTimePartitionsFor(b, now - 5 * D, now - 3 * D, now)).toEqual([1]);
    // maxTime is exclusive: a window ending exactly at the boundary stays in the older partition...
    expect(storeTimePartitionsFor(b, now - 20 * D, now - 14 * D - 1, now)).toEqual([0]);
    // ...and one starting on it belongs to the newer.
    expect(storeTimePartitionsFor(b, now - 14 * D, now - 13 * D, now)).toEqual([1]);
    expect(storeSubjectShard(3, 2, 4)).toBe(11);
  });
});
