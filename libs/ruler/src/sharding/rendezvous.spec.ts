import { ownerOf } from './rendezvous';

describe('ownerOf', () => {
  const keys = Array.from({ length: 1000 }, (_, i) => `group-${i}`);

  it('spreads keys over members and moves only what a new member wins', () => {
    const two = keys.map((k) => ownerOf(k, ['a', 'b']));
    expect(two.filter((o) => o === 'a').length).toBeGreaterThan(400);
    const three = keys.map((k) => ownerOf(k, ['a', 'b', 'c']));
    keys.forEach((_, i) => {
      if (three[i] !== 'c') expect(three[i]).toBe(two[i]);
    });
    expect(three.filter((o) => o === 'c').length).toBeGreaterThan(250);
  });

  it('gives everything to the survivor when a member leaves, and nothing without members', () => {
    expect(new Set(keys.map((k) => ownerOf(k, ['b'])))).toEqual(new Set(['b']));
    expect(ownerOf('x', [])).toBeNull();
  });
});
