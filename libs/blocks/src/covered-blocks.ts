import { type BlockMeta } from '@strata/tsdb';

/** A block as the cover check needs it: its ULID and meta. */
export interface BlockWithMeta {
  readonly ulid: string;
  readonly meta: BlockMeta;
}

/**
 * ULIDs of the blocks another block of the same resolution already contains (Thanos'
 * `DeduplicateFilter`): its compaction sources are a subset of the other's (equal sources: the
 * newer ULID is kept). Such a block is the input of a compaction whose output exists, or an
 * ingester's re-upload of a range already compacted; reading both would count nothing twice but
 * would show the replicas a deduplicating compaction removed, and compacting it again would
 * only make the same block.
 */
export function coveredBlocks(blocks: readonly BlockWithMeta[]): Set<string> {
  const covered = new Set<string>();
  const sourcesOf = new Map<string, Set<string>>();
  for (const b of blocks) sourcesOf.set(b.ulid, new Set(b.meta.compaction.sources ?? [b.ulid]));
  const resolution = (b: BlockWithMeta) => b.meta.thanos?.downsample.resolution ?? 0;
  // Larger source sets first: a block can only be covered by one with at least as many sources.
  const bySize = [...blocks].sort(
    (a, b) =>
      (sourcesOf.get(b.ulid)?.size ?? 0) - (sourcesOf.get(a.ulid)?.size ?? 0) ||
      (a.ulid < b.ulid ? 1 : -1),
  );
  for (let i = 0; i < bySize.length; i++) {
    const inner = bySize[i];
    const mine = sourcesOf.get(inner.ulid) ?? new Set<string>();
    for (let j = 0; j < i; j++) {
      const outer = bySize[j];
      if (resolution(outer) !== resolution(inner)) continue;
      const theirs = sourcesOf.get(outer.ulid) ?? new Set<string>();
      let all = true;
      for (const s of mine)
        if (!theirs.has(s)) {
          all = false;
          break;
        }
      if (all) {
        covered.add(inner.ulid);
        break;
      }
    }
  }
  return covered;
}
