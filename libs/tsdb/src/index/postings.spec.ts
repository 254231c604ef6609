import { matcher } from './matchers';
import { MemPostings, intersect, merge, postingsForMatchers, without } from './postings';

describe('postings list operations', () => {
  it('intersects, merges and subtracts sorted lists', () => {
    expect(
      intersect([
        [1, 3, 5, 7],
        [3, 4, 5],
        [0, 3, 5, 9],
      ]),
    ).toEqual([3, 5]);
    expect(intersect([])).toEqual([]);
    expect(merge([[1, 4], [2, 4, 6], [0]])).toEqual([0, 1, 2, 4, 6]);
    expect(without([1, 2, 3, 4, 5], [2, 4, 9])).toEqual([1, 3, 5]);
  });
});

describe('postingsForMatchers', () => {
  const ix = new MemPostings();
  const series: Array<Record<string, string>> = [
    { __name__: 'up', job: 'api', env: 'prod' }, // 1
    { __name__: 'up', job: 'api', env: 'dev' }, // 2
    { __name__: 'up', job: 'db' }, // 3 (no env)
    { __name__: 'req', job: 'api', path: '/a\nb' }, // 4
  ];
  series.forEach((s, i) =>
    ix.add(
      i + 1,
      Object.entries(s)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .flat(),
    ),
  );
  const sel = (...ms: Parameters<typeof matcher>[]): readonly number[] =>
    postingsForMatchers(
      ix,
      ms.map((m) => matcher(...m)),
    );

  it('selects by equality and intersects matchers', () => {
    expect(sel(['=', '__name__', 'up'])).toEqual([1, 2, 3]);
    expect(sel(['=', '__name__', 'up'], ['=', 'job', 'api'])).toEqual([1, 2]);
    expect(sel(['=', 'job', 'nope'])).toEqual([]);
  });

  it('treats `label=""` as selecting series without the label', () => {
    expect(sel(['=', '__name__', 'up'], ['=', 'env', ''])).toEqual([3]);
    expect(sel(['=', 'missing', ''])).toEqual([1, 2, 3, 4]);
  });

  it('treats `!=""` as requiring the label', () => {
    expect(sel(['!=', 'env', ''])).toEqual([1, 2]);
  });

  it('lets `!=` select series lacking the label', () => {
    expect(sel(['=', '__name__', 'up'], ['!=', 'env', 'prod'])).toEqual([2, 3]);
  });

  it('matches regexes with RE2 syntax that JavaScript lacks, as Prometheus does', () => {
    expect(sel(['=~', 'env', '(?i:PR)od'])).toEqual([1]);
    expect(sel(['=~', 'job', '[[:alpha:]]{2}'])).toEqual([3]);
    expect(sel(['!~', 'job', '(?i)API'])).toEqual([3]);
  });

  it('anchors regexes fully and lets `.` match newlines', () => {
    expect(sel(['=~', 'job', 'ap'])).toEqual([]);
    expect(sel(['=~', 'job', 'a.*'])).toEqual([1, 2, 4]);
    expect(sel(['=~', 'path', '/a.b'])).toEqual([4]);
    expect(sel(['=~', 'job', '(?i)API'])).toEqual([1, 2, 4]);
  });

  it('applies regexes matching the empty string to series lacking the label', () => {
    expect(sel(['=', '__name__', 'up'], ['=~', 'env', 'prod|'])).toEqual([1, 3]);
    expect(sel(['=', '__name__', 'up'], ['!~', 'env', 'p.*'])).toEqual([2, 3]);
    expect(sel(['=~', 'env', '.+'])).toEqual([1, 2]);
    expect(sel(['!~', 'env', '.*'])).toEqual([]);
  });

  it('selects with a pathological regex over a hostile value in one pass (RE2, not backtracking)', () => {
    const hostile = new MemPostings();
    hostile.add(1, ['job', `${'a'.repeat(5000)}!`]);
    hostile.add(2, ['job', 'aaaa']);
    hostile.add(3, ['job', 'b']);
    expect(postingsForMatchers(hostile, [matcher('=~', 'job', '(a+)+')])).toEqual([2]);
    expect(postingsForMatchers(hostile, [matcher('!~', 'job', '(a+)+')])).toEqual([1, 3]);
  });

  it('reports a regex that does not compile as an invalid matcher', () => {
    expect(() => matcher('=~', 'job', '(unclosed')).toThrow(
      expect.objectContaining({ code: 'invalid_matcher' }),
    );
  });

  it('forgets deleted series and empty values', () => {
    const p = new MemPostings();
    p.add(1, ['a', 'x']);
    p.add(2, ['a', 'y']);
    p.delete(new Set([2]), () => ['a', 'y']);
    expect([...p.labelValuesFor('a')]).toEqual(['x']);
    expect(p.allPostings()).toEqual([1]);
  });
});
