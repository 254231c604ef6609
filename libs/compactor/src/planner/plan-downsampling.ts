import { type ListedBlock } from '@strata/blocks';
import { RESOLUTION_1H, RESOLUTION_5M } from '@strata/tsdb';

/** When blocks are downsampled: the span a block needs before it gets each coarser resolution. */
export interface DownsampleSettings {
  readonly enabled: boolean;
  /** A raw block spanning at least this gets a 5 m block (Thanos: 40h). */
  readonly span5mMs: number;
  /** A 5 m block spanning at least this gets a 1 h block (Thanos: 10d). */
  readonly span1hMs: number;
}

/** One downsampling to do: a block and the resolution to make from it. */
export interface DownsampleTask {
  readonly block: ListedBlock;
  readonly resolution: number;
}

const resolutionOf = (b: ListedBlock): number => b.meta.thanos?.downsample.resolution ?? 0;

/**
 * The downsamplings a tenant's blocks still need, as Thanos plans them: a raw block long enough
 * whose sources are not all in some 5 m block, a 5 m block long enough whose sources are not all
 * in some 1 h block. `existing` includes blocks marked for deletion, so that a downsampled block
 * on its way out is not made again.
 */
export function planDownsampling(
  live: readonly ListedBlock[],
  existing: readonly ListedBlock[],
  settings: DownsampleSettings,
): DownsampleTask[] {
  if (!settings.enabled) return [];
  const sourcesAt = (resolution: number): Set<string> =>
    new Set(
      existing
        .filter((b) => resolutionOf(b) === resolution)
        .flatMap((b) => b.meta.compaction.sources ?? [b.ulid]),
    );
  const done = new Map([
    [RESOLUTION_5M, sourcesAt(RESOLUTION_5M)],
    [RESOLUTION_1H, sourcesAt(RESOLUTION_1H)],
  ]);
  const tasks: DownsampleTask[] = [];
  for (const b of live) {
    const from = resolutionOf(b);
    const to = from === 0 ? RESOLUTION_5M : from === RESOLUTION_5M ? RESOLUTION_1H : null;
    if (to === null) continue;
    const span = to === RESOLUTION_5M ? settings.span5mMs : settings.span1hMs;
    if (b.meta.maxTime - b.meta.minTime < span) continue;
    const have = done.get(to) ?? new Set<string>();
    if ((b.meta.compaction.sources ?? [b.ulid]).every((s) => have.has(s))) continue;
    tasks.push({ block: b, resolution: to });
  }
  // Raw first: a 1 h block is made from the 5 m block made in the same cycle.
  return tasks.sort((a, b) => a.resolution - b.resolution);
}
