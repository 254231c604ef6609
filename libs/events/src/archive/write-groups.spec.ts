import { WriteGroups } from './write-groups';

interface Item {
  readonly key: string;
  readonly size: number;
  readonly name: string;
}

/** Writes that finish when the test says so, recording each group as it starts. */
function writes() {
  const started: string[][] = [];
  const finish: Array<(error?: Error) => void> = [];
  const groups = new WriteGroups<Item, string>(
    { lanes: 2, maxSize: 10 },
    (i) => i.key,
    (i) => i.size,
    (group) => {
      started.push(group.map((i) => i.name));
      return new Promise((resolve, reject) => {
        finish.push((error) =>
          error ? reject(error) : resolve(group.map((i) => `${i.name} stored`)),
        );
      });
    },
  );
  return { groups, started, finish };
}

const item = (name: string, key = 'audit', size = 1): Item => ({ key, size, name });
const settle = () => new Promise((r) => setImmediate(r));

describe('writes in groups', () => {
  it('writes at once while a lane is free, then groups what waits by key, oldest first', async () => {
    const { groups, started, finish } = writes();
    const results = [
      groups.submit(item('a')),
      groups.submit(item('b')),
      groups.submit(item('c')),
      groups.submit(item('k', 'events')),
      groups.submit(item('d')),
    ];
    await settle();
    expect(started).toEqual([['a'], ['b']]);
    finish[0]();
    await settle();
    expect(started[2]).toEqual(['c', 'd']);
    finish[1]();
    await settle();
    expect(started[3]).toEqual(['k']);
    finish[2]();
    finish[3]();
    expect(await Promise.all(results)).toEqual([
      'a stored',
      'b stored',
      'c stored',
      'k stored',
      'd stored',
    ]);
  });

  it('stops a group at its size, and a failed write fails only its own group', async () => {
    const { groups, started, finish } = writes();
    const first = [groups.submit(item('a')), groups.submit(item('b'))];
    const rest = ['c', 'd', 'e', 'f'].map((n) => groups.submit(item(n, 'audit', 4)));
    await settle();
    finish[0]();
    finish[1](new Error('archive down'));
    await expect(first[0]).resolves.toBe('a stored');
    await expect(first[1]).rejects.toThrow('archive down');
    await settle();
    expect(started.slice(2)).toEqual([
      ['c', 'd'],
      ['e', 'f'],
    ]);
    finish[2](new Error('archive down'));
    finish[3]();
    await expect(rest[0]).rejects.toThrow('archive down');
    await expect(rest[1]).rejects.toThrow('archive down');
    await expect(Promise.all(rest.slice(2))).resolves.toEqual(['e stored', 'f stored']);
  });
});
