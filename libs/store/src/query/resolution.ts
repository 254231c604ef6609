import { type ListedBlock } from '@strata/blocks';

const resolutionOf = (b: ListedBlock): number => b.meta.thanos?.downsample.resolution ?? 0;

/**
 * The blocks to read for [mint, maxt] at no coarser than `maxResolutionMs` (Thanos' bucket store
 * `getFor`): the coarsest allowed resolution where it has blocks, and the time it leaves
 * uncovered filled from the next finer one, down to raw. Oldest ULID first.
 */
export function blocksAtResolution(
  blocks: readonly ListedBlock[],
  mint: number,
  maxt: number,
  maxResolutionMs: number,
): ListedBlock[] {
  const levels = [...new Set(blocks.map(resolutionOf))]
    .filter((r) => r <= maxResolutionMs)
    .sort((a, b) => b - a);
  const out: ListedBlock[] = [];
  const fill = (from: number, to: number, level: number): void => {
    if (from > to || level >= levels.length) return;
    const here = blocks
      .filter(
        (b) => resolutionOf(b) === levels[level] && b.meta.minTime <= to && b.meta.maxTime > from,
      )
      .sort((a, b) => a.meta.minTime - b.meta.minTime);
    let cursor = from;
    for (const b of here) {
      fill(cursor, b.meta.minTime - 1, level + 1);
      out.push(b);
      cursor = Math.max(cursor, b.meta.maxTime);
    }
    fill(cursor, to, level + 1);
  };
  fill(mint, maxt, 0);
  return out.sort((a, b) => (a.ulid < b.ulid ? -1 : 1));
}
