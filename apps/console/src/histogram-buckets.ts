// The events page's histogram with its empty buckets; pure, so it is unit-tested.

/**
 * Every bucket from start to end, empty ones included (the API sends only buckets that have
 * matches), so bars stand where their time is.
 */
export function denseBuckets(
  sparse: ReadonlyArray<{ time: string; count: number }>,
  start: number,
  end: number,
  stepMs: number,
): Array<{ time: string; count: number }> {
  const first = Math.floor(start / stepMs) * stepMs;
  const n = Math.max(1, Math.ceil((end - first) / stepMs));
  const counts = new Array<number>(n).fill(0);
  for (const b of sparse) {
    const i = Math.floor((Date.parse(b.time) - first) / stepMs);
    counts[Math.min(n - 1, Math.max(0, i))] += b.count;
  }
  return counts.map((count, i) => ({ time: new Date(first + i * stepMs).toISOString(), count }));
}
