// How tenants and time are split among store gateways. The query side and the stores must agree,
// so both compute it from the same PlatformEnv values through these functions.

/** A time partition of the stores: `[minTime, maxTime)` in ms since epoch, resolved against a `now`. */
export interface StoreTimeRange {
  minTime: number;
  maxTime: number;
}

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** Milliseconds of a Prometheus duration (`90s`, `1h30m`, `14d`); throws on anything else. */
export function parsePromDurationMs(text: string): number {
  const s = text.trim();
  const part = /(\d+)(ms|s|m|h|d|w|y)/y;
  let ms = 0;
  let at = 0;
  while (at < s.length) {
    part.lastIndex = at;
    const m = part.exec(s);
    if (!m) throw new Error(`invalid duration ${JSON.stringify(text)}`);
    ms += Number(m[1]) * UNIT_MS[m[2]];
    at = part.lastIndex;
  }
  if (s.length === 0) throw new Error('empty duration');
  return ms;
}

/**
 * Parses `STRATA_STORE_TIME_RANGES`: boundaries as durations before now, oldest first, e.g.
 * `14d,2d` makes three partitions, `[-∞, now-14d)`, `[now-14d, now-2d)` and `[now-2d, +∞)`
 * (Whizard's store `timeRanges`). Empty: one partition holding all time. Returns the boundaries
 * in ms before now, strictly decreasing.
 */
export function parseStoreTimeBoundaries(spec: string): number[] {
  const out = spec
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map(parsePromDurationMs);
  for (let i = 1; i < out.length; i++)
    if (out[i] >= out[i - 1])
      throw new Error(
        `store time boundaries must go from oldest to newest (decreasing durations): ${spec}`,
      );
  return out;
}

/** The time range of partition `index` (0 = oldest) at `now`. */
export function storeTimeRange(
  boundaries: readonly number[],
  index: number,
  now: number,
): StoreTimeRange {
  if (!Number.isInteger(index) || index < 0 || index > boundaries.length)
    throw new Error(`store time partition ${index} out of 0..${boundaries.length}`);
  return {
    minTime: index === 0 ? -Infinity : now - boundaries[index - 1],
    maxTime: index === boundaries.length ? Infinity : now - boundaries[index],
  };
}

/** Time partitions whose range meets the inclusive query window [start, end] at `now`. */
export function storeTimePartitionsFor(
  boundaries: readonly number[],
  start: number,
  end: number,
  now: number,
): number[] {
  const out: number[] = [];
  for (let k = 0; k <= boundaries.length; k++) {
    const r = storeTimeRange(boundaries, k, now);
    if (start < r.maxTime && end >= r.minTime) out.push(k);
  }
  return out;
}

/** 32-bit FNV-1a of a string's UTF-16 code units, a stable hash that needs no library. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // A final avalanche so that neighbouring inputs spread over the whole range.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The tenant shard that serves `tenant` among `shards` (rendezvous hashing: every shard scores the
 * tenant and the highest wins, so going from n to n+1 shards moves only the tenants the new one wins).
 */
export function storeShardOfTenant(tenant: string, shards: number): number {
  let best = 0;
  let bestScore = -1;
  for (let s = 0; s < shards; s++) {
    const score = fnv1a(`${s}\u0000${tenant}`);
    if (score > bestScore) {
      best = s;
      bestScore = score;
    }
  }
  return best;
}

/** The number in `Subjects.storeQuery('store', n)` of a tenant shard within a time partition. */
export function storeSubjectShard(
  tenantShard: number,
  timePartition: number,
  shards: number,
): number {
  return timePartition * shards + tenantShard;
}
