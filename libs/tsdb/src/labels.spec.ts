import { xxh64 } from '@node-rs/xxhash';
import { compareLabels, labelsEqual, labelsFrom, labelsHash, labelsToString } from './labels';

function referenceHash(pairs: Array<[string, string]>): bigint {
  const parts: Buffer[] = [];
  for (const [n, v] of pairs)
    parts.push(Buffer.from(n), Buffer.from([0xff]), Buffer.from(v), Buffer.from([0xff]));
  return xxh64(Buffer.concat(parts));
}

describe('label sets', () => {
  it('sort by name and refuse duplicates', () => {
    expect(labelsFrom({ b: '1', a: '2' })).toEqual([
      { name: 'a', value: '2' },
      { name: 'b', value: '1' },
    ]);
    expect(() =>
      labelsFrom([
        ['a', '1'],
        ['a', '2'],
      ]),
    ).toThrow(/duplicate/);
  });

  it('hash like Prometheus: xxhash64 of name 0xff value 0xff, for ASCII and non-ASCII text', () => {
    const cases: Array<Array<[string, string]>> = [
      [
        ['__name__', 'up'],
        ['job', 'api'],
      ],
      [
        ['__name__', 'température'],
        ['ville', 'Zürich 🌍'],
      ],
      [['a', 'x'.repeat(5000) + 'é']],
      [],
    ];
    for (const c of cases) expect(labelsHash(labelsFrom(c))).toBe(referenceHash(c));
  });

  it('compare pairwise by name then value, then by length', () => {
    const a = labelsFrom({ a: '1' });
    const b = labelsFrom({ a: '1', b: '1' });
    const c = labelsFrom({ a: '2' });
    expect(compareLabels(a, b)).toBeLessThan(0);
    expect(compareLabels(c, b)).toBeGreaterThan(0);
    expect(compareLabels(a, labelsFrom({ a: '1' }))).toBe(0);
    expect(labelsEqual(a, labelsFrom({ a: '1' }))).toBe(true);
    expect(labelsToString(b)).toBe('{a="1", b="1"}');
  });
});
