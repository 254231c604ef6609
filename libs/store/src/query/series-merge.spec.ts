import { type Labels, labelsFrom } from '@strata/tsdb';
import { type SampleSeries, mergeSamples, mergeSeriesStreams } from './series-merge';

const s = (labels: Record<string, string>, samples: Array<[number, number]>): SampleSeries => ({
  labels: labelsFrom(labels),
  timestamps: Float64Array.from(samples.map(([t]) => t)),
  values: Float64Array.from(samples.map(([, v]) => v)),
});
const pairs = (x: SampleSeries) => Array.from(x.timestamps, (t, i) => [t, x.values[i]]);

async function* stream(...series: SampleSeries[]): AsyncGenerator<SampleSeries> {
  for (const x of series) yield x;
}
async function all(it: AsyncIterable<SampleSeries>): Promise<SampleSeries[]> {
  const out: SampleSeries[] = [];
  for await (const x of it) out.push(x);
  return out;
}
const names = (ls: Labels) => ls.map((l) => `${l.name}=${l.value}`).join(',');

describe('mergeSamples', () => {
  it('keeps a timestamp present in both lists once, with the first list’s value', () => {
    const a = s({ a: '1' }, [
      [10, 1],
      [20, 2],
      [30, 3],
    ]);
    const b = s({ a: '1' }, [
      [20, 99],
      [25, 5],
      [30, 99],
      [40, 4],
    ]);
    expect(pairs(mergeSamples(a, b))).toEqual([
      [10, 1],
      [20, 2],
      [25, 5],
      [30, 3],
      [40, 4],
    ]);
    expect(pairs(mergeSamples(b, a))).toEqual([
      [10, 1],
      [20, 99],
      [25, 5],
      [30, 99],
      [40, 4],
    ]);
  });

  it('concatenates disjoint lists in time order whichever comes first', () => {
    const old = s({ a: '1' }, [
      [1, 1],
      [2, 2],
    ]);
    const recent = s({ a: '1' }, [[5, 5]]);
    expect(pairs(mergeSamples(recent, old))).toEqual([
      [1, 1],
      [2, 2],
      [5, 5],
    ]);
    expect(pairs(mergeSamples(old, s({ a: '1' }, [])))).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });
});

describe('mergeSeriesStreams', () => {
  it('yields series in UTF-8 label order with equal series merged across streams', async () => {
    const out = await all(
      mergeSeriesStreams([
        stream(
          s({ job: 'a' }, [
            [1, 1],
            [2, 2],
          ]),
          s({ job: 'c' }, [[1, 1]]),
        ),
        stream(
          s({ job: 'a' }, [
            [2, 7],
            [3, 3],
          ]),
          s({ job: 'b' }, [[9, 9]]),
          s({ job: '\u{1F600}' }, [[1, 0]]),
        ),
        stream(s({ job: '\uFFFD' }, [[1, 0]])),
        stream(),
      ]),
    );
    // U+FFFD sorts before U+1F600 in UTF-8, after it in UTF-16: blocks use UTF-8.
    expect(out.map((x) => names(x.labels))).toEqual([
      'job=a',
      'job=b',
      'job=c',
      'job=\uFFFD',
      'job=\u{1F600}',
    ]);
    expect(pairs(out[0])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });
});
