import { splitByInterval } from './split-by-interval';

const DAY = 86_400_000;
const H = 3_600_000;

function steps(startMs: number, endMs: number, stepMs: number): number[] {
  const out: number[] = [];
  for (let t = startMs; t <= endMs; t += stepMs) out.push(t);
  return out;
}

describe('splitting a range query by day', () => {
  it('keeps a range within one day whole, ending on its last step', () => {
    expect(splitByInterval(2 * DAY + H, 2 * DAY + 5 * H + 7, 60_000, DAY)).toEqual([
      { startMs: 2 * DAY + H, endMs: 2 * DAY + 5 * H },
    ]);
  });

  it('cuts at each day, on the original step grid', () => {
    const start = 10 * DAY - 2 * H + 7_000;
    const parts = splitByInterval(start, 12 * DAY + 3 * H, 45_000, DAY);
    expect(parts.length).toBe(4);
    for (const p of parts) {
      expect(Math.floor(p.startMs / DAY)).toBe(Math.floor(p.endMs / DAY));
      expect((p.startMs - start) % 45_000).toBe(0);
      expect((p.endMs - start) % 45_000).toBe(0);
    }
  });

  it('evaluates every step of the whole range exactly once, whatever the step', () => {
    for (const stepMs of [1_000, 15_000, 61_000, 7 * H, DAY, 3 * DAY]) {
      const start = 3 * DAY + 12_345;
      const end = start + 9 * DAY + 999;
      const parts = splitByInterval(start, end, stepMs, DAY);
      expect(parts.flatMap((p) => steps(p.startMs, p.endMs, stepMs))).toEqual(
        steps(start, end, stepMs),
      );
    }
  });

  it('does not split when the interval is 0', () => {
    expect(splitByInterval(0, 5 * DAY, H, 0)).toEqual([{ startMs: 0, endMs: 5 * DAY }]);
  });
});
