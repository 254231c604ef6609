import { mergeRangeBodies, mergeSerializedRanges, type RangeBody } from './merge-range';

const body = (
  result: Array<{ metric: Record<string, string>; values: unknown[] }>,
  extra: Partial<RangeBody> = {},
): RangeBody => ({ status: 'success', data: { resultType: 'matrix', result }, ...extra });

describe('mergeSerializedRanges', () => {
  // Label values a text scan could trip over: quotes, escapes, brackets, braces, separators.
  const tricky = ['a"b', 'c\\d', '[x]', '{y}', 'z"}],{"metric":', 'é✓', '\n\t', ''];
  const parts: RangeBody[] = [0, 1, 2].map((p) =>
    body(
      tricky
        // Series come and go between parts, and the order within a part is not the merged order.
        .filter((_, i) => (i + p) % 3 !== 0)
        .reverse()
        .map((v, i) => ({
          metric: { __name__: 'm', job: v, ...(i % 2 === 0 ? { zone: `z${p}` } : {}) },
          values: [
            [1_700_000_000 + p * 100, String(i * 1.5)],
            [1_700_000_000.5 + p * 100, p === 1 ? 'NaN' : '-Inf'],
          ],
        })),
    ),
  );

  it('joins the parts as text exactly as merging the parsed bodies and stringifying does', () => {
    const texts = parts.map((p) => JSON.stringify(p));
    const joined = mergeSerializedRanges(texts);
    expect(joined).toBe(JSON.stringify(mergeRangeBodies(parts)));
    expect(JSON.parse(joined as string)).toEqual(mergeRangeBodies(parts));
  });

  it('keeps series with no points and parts with no series', () => {
    const a = body([{ metric: { a: '1' }, values: [] }]);
    const b = body([]);
    const c = body([{ metric: { a: '1' }, values: [[1, '2']] }]);
    const texts = [a, b, c].map((p) => JSON.stringify(p));
    expect(mergeSerializedRanges(texts)).toBe(JSON.stringify(mergeRangeBodies([a, b, c])));
  });

  it('leaves replies with warnings or of another shape to the parsed merge', () => {
    const warned = body([{ metric: { a: '1' }, values: [[1, '2']] }], { warnings: ['w'] });
    expect(mergeSerializedRanges([JSON.stringify(warned), JSON.stringify(parts[0])])).toBeNull();
    const vector = { status: 'success', data: { resultType: 'vector', result: [] } };
    expect(mergeSerializedRanges([JSON.stringify(vector), JSON.stringify(parts[0])])).toBeNull();
    const text = JSON.stringify(parts[1]);
    for (const odd of [
      text.replace('},"values"', '},"histograms":[],"values"'),
      text.replace(']]},', ']],"histograms":[]},'),
    ]) {
      expect(odd).not.toBe(text);
      expect(mergeSerializedRanges([JSON.stringify(parts[0]), odd])).toBeNull();
    }
  });
});
