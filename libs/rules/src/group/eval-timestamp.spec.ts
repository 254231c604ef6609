import { GroupSchedule, evalTimestampNs, groupHash, nsToMs } from './eval-timestamp';

const S = 1_000_000_000n;

describe('evaluation slots', () => {
  it('places a group at its hash offset and never in the future', () => {
    const interval = 60n * S;
    const hash = groupHash('/etc/rules/a.yml', 'http');
    const offset = hash % interval;
    for (const now of [
      1_700_000_000n * S,
      1_700_000_000n * S + offset,
      1_700_000_000n * S + offset - 1n,
    ]) {
      const slot = evalTimestampNs(now, interval, hash);
      expect(slot <= now).toBe(true);
      expect(now - slot < interval).toBe(true);
      expect((slot - offset) % interval).toBe(0n);
    }
  });

  it('spreads groups of different names or files over the interval', () => {
    const interval = 60n * S;
    const offsets = new Set(['a', 'b', 'c', 'd'].map((n) => groupHash('f.yml', n) % interval));
    expect(offsets.size).toBe(4);
    expect(groupHash('f.yml', 'a')).not.toBe(groupHash('g.yml', 'a'));
    expect(groupHash('f.yml', 'a', 'slicelabels')).not.toBe(
      groupHash('f.yml', 'a', 'stringlabels'),
    );
  });

  it('starts one interval after the preceding slot and counts the slots a slow evaluation missed', () => {
    const interval = 10n * S;
    const schedule = new GroupSchedule(interval, 3n * S);
    const first = schedule.first(105n * S);
    expect(first).toBe(113n * S);
    expect(schedule.next(123n * S + 5n)).toEqual({ evalNs: 123n * S, missed: 0 });
    // The evaluation at 123s took until 157s: the slots at 133s and 143s were missed.
    expect(schedule.next(157n * S)).toEqual({ evalNs: 153n * S, missed: 2 });
    expect(nsToMs(153n * S + 999_999n)).toBe(153_000);
  });
});
