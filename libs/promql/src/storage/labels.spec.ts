import { Labels } from './labels';

describe('label sets from parallel name and value lists', () => {
  it('equal the same pairs built any other way, whatever order, duplicates or empty values', () => {
    const cases: Array<[string[], string[]]> = [
      [
        ['__name__', 'job', 'pod'],
        ['up', 'a', 'p1'],
      ],
      [
        ['pod', '__name__', 'job'],
        ['p1', 'up', 'a'],
      ],
      [
        ['__name__', 'job', 'job'],
        ['up', 'a', 'b'],
      ],
      [
        ['__name__', 'empty', 'job'],
        ['up', '', 'a'],
      ],
      [[], []],
    ];
    for (const [names, values] of cases) {
      const want = Labels.fromPairs(names.map((n, i) => [n, values[i]] as const));
      const got = Labels.fromLists([...names], [...values]);
      expect([got.names, got.values]).toEqual([want.names, want.values]);
      expect(got.key).toBe(want.key);
    }
  });
});
