/** A block's time range [mint, maxt), aligned to the block duration. */
export interface BlockRange {
  readonly mint: number;
  readonly maxt: number;
}

/** What the planner needs to know of a tenant's head. */
export interface HeadExtent {
  /** Oldest and newest sample times held (Infinity / -Infinity while empty). */
  readonly minT: number;
  readonly maxT: number;
  /** The tenant's out-of-order window in ms (0: none). */
  readonly outOfOrderWindow: number;
}

/** Start of the aligned block range holding `t`, as Prometheus aligns blocks to multiples of their duration. */
export function alignDown(t: number, duration: number): number {
  return Math.floor(t / duration) * duration;
}

/**
 * The oldest block range of a tenant's head that is due for cutting, or null. A range is due once
 * the head accepts no more samples in it: its end lies at or before the newest sample minus half
 * a block (Prometheus' in-order window `maxT - chunkRange/2`) and minus the out-of-order window.
 * Ranges start at what was shipped already (everything before `shippedUntil` is in blocks) or at
 * the oldest sample, whichever is later; a range may hold no sample (a gap), which the caller skips.
 */
export function nextDueRange(
  head: HeadExtent,
  shippedUntil: number,
  duration: number,
): BlockRange | null {
  if (!(head.maxT >= head.minT)) return null;
  const start = Math.max(head.minT, shippedUntil);
  const mint = alignDown(start, duration);
  const maxt = mint + duration;
  const acceptsFrom = head.maxT - Math.max(duration / 2, head.outOfOrderWindow);
  return maxt <= acceptsFrom ? { mint, maxt } : null;
}

/** Every range due now, oldest first: what {@link nextDueRange} yields as each one is shipped. */
export function dueRanges(head: HeadExtent, shippedUntil: number, duration: number): BlockRange[] {
  const out: BlockRange[] = [];
  let shipped = shippedUntil;
  for (let r = nextDueRange(head, shipped, duration); r !== null;) {
    out.push(r);
    shipped = r.maxt;
    r = nextDueRange(head, shipped, duration);
  }
  return out;
}
