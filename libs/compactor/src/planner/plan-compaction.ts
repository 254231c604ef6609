import { type BlockWithMeta } from '@strata/blocks';

/** What the planner decided for one tenant's raw blocks. */
export type CompactionPlan =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'compact';
      /** The blocks to merge, oldest data first. */
      readonly blocks: readonly BlockWithMeta[];
      readonly minTime: number;
      readonly maxTime: number;
      readonly level: number;
      /** True when the blocks overlap in time (vertical compaction). */
      readonly vertical: boolean;
    }
  | { readonly kind: 'halt'; readonly reason: string };

/**
 * Plans the next compaction of a tenant's raw blocks, as Thanos' planner does: overlapping blocks
 * first (vertical compaction; blocks of several ingest partitions cover the same range with
 * different series), then, for each range after the first (`ranges`, shortest first), the oldest
 * aligned window holding several blocks that either fill it or have newer data after it. Blocks
 * that overlap across the boundary of the longest range cannot become one aligned block: the plan
 * is a halt, never a guess.
 */
export function planCompaction(
  blocks: readonly BlockWithMeta[],
  ranges: readonly number[],
): CompactionPlan {
  const sorted = [...blocks].sort((a, b) => a.meta.minTime - b.meta.minTime || cmp(a.ulid, b.ulid));
  const longest = ranges[ranges.length - 1];
  for (const group of overlapGroups(sorted)) {
    if (group.length < 2) continue;
    const minTime = Math.min(...group.map((b) => b.meta.minTime));
    const maxTime = Math.max(...group.map((b) => b.meta.maxTime));
    if (Math.floor(minTime / longest) !== Math.floor((maxTime - 1) / longest)) {
      return {
        kind: 'halt',
        reason: `blocks ${group.map((b) => `${b.ulid} [${b.meta.minTime}, ${b.meta.maxTime})`).join(', ')} overlap across a ${longest} ms boundary`,
      };
    }
    return {
      kind: 'compact',
      blocks: group,
      minTime,
      maxTime,
      level: nextLevel(group),
      vertical: true,
    };
  }
  const newest = Math.max(...sorted.map((b) => b.meta.maxTime));
  for (const range of ranges.slice(1)) {
    const windows = new Map<number, BlockWithMeta[]>();
    for (const b of sorted) {
      const w = Math.floor(b.meta.minTime / range);
      if (w !== Math.floor((b.meta.maxTime - 1) / range)) continue;
      const list = windows.get(w) ?? [];
      list.push(b);
      windows.set(w, list);
    }
    for (const [w, group] of [...windows].sort((a, b) => a[0] - b[0])) {
      if (group.length < 2) continue;
      const minTime = Math.min(...group.map((b) => b.meta.minTime));
      const maxTime = Math.max(...group.map((b) => b.meta.maxTime));
      const full = maxTime - minTime === range;
      if (!full && newest <= (w + 1) * range) continue;
      return {
        kind: 'compact',
        blocks: group,
        minTime,
        maxTime,
        level: nextLevel(group),
        vertical: false,
      };
    }
  }
  return { kind: 'none' };
}

function overlapGroups(sorted: readonly BlockWithMeta[]): BlockWithMeta[][] {
  const groups: BlockWithMeta[][] = [];
  let end = -Infinity;
  for (const b of sorted) {
    if (b.meta.minTime < end) groups[groups.length - 1].push(b);
    else groups.push([b]);
    end = Math.max(end, b.meta.maxTime);
  }
  return groups;
}

function nextLevel(group: readonly BlockWithMeta[]): number {
  return Math.max(...group.map((b) => b.meta.compaction.level)) + 1;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
