import { chooseGivenBack, fairShare, leasesToGiveBack, type MemberLoad } from './fair-share';

const member = (owner: string, holds: number, wants = 10): MemberLoad => ({ owner, holds, wants });

describe('the fair share of delivery leases', () => {
  it('is the tenants over the live replicas, rounded up', () => {
    expect(fairShare(10, 1)).toBe(10);
    expect(fairShare(10, 2)).toBe(5);
    expect(fairShare(10, 3)).toBe(4);
    expect(fairShare(0, 3)).toBe(0);
  });

  it('gives back the surplus when a replica joins', () => {
    expect(leasesToGiveBack(member('a', 10), [member('b', 0)])).toBe(5);
    expect(leasesToGiveBack(member('a', 5), [member('b', 5)])).toBe(0);
    expect(leasesToGiveBack(member('a', 5), [member('b', 5), member('c', 0)])).toBe(1);
  });

  it('evens holdings out to within one, one lease at a time from the heaviest', () => {
    // 10 over 3: shares alone stop at 4, 4, 2.
    const a = member('a', 4);
    const b = member('b', 4);
    const c = member('c', 2);
    expect(leasesToGiveBack(a, [b, c])).toBe(1);
    expect(leasesToGiveBack(b, [a, c])).toBe(0);
    expect(leasesToGiveBack(c, [a, b])).toBe(0);
    // Then 3, 4, 3: nothing moves any more.
    for (const [self, others] of [
      [member('a', 3), [member('b', 4), member('c', 3)]],
      [member('b', 4), [member('a', 3), member('c', 3)]],
      [member('c', 3), [member('a', 3), member('b', 4)]],
    ] as const)
      expect(leasesToGiveBack(self, others)).toBe(0);
  });

  it('gives nothing to a replica that asks for no more', () => {
    // It runs 2 tenants and holds both: a lease given back would come back here.
    expect(leasesToGiveBack(member('a', 4), [member('b', 4), member('c', 2, 2)])).toBe(0);
  });

  it('chooses the leases given back the same way whatever the order, and as many as asked', () => {
    const tenants = Array.from({ length: 10 }, (_, i) => `t${i}`);
    const chosen = chooseGivenBack('a', tenants, 3);
    expect(chosen).toHaveLength(3);
    expect(chooseGivenBack('a', [...tenants].reverse(), 3)).toEqual(chosen);
    expect(chooseGivenBack('a', tenants, 4).slice(0, 3)).toEqual(chosen);
    expect(chooseGivenBack('a', tenants, 0)).toEqual([]);
  });
});
