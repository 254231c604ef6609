import { type MemSeries, encodeLabelBlock, labelsFrom } from '@strata/tsdb';
import { KnownSeries } from './known-series';

const block = (name: string, extra = '') =>
  encodeLabelBlock(labelsFrom({ __name__: name, x: extra }));
const ref = (buf: Buffer) => ({ buf, start: 0, end: buf.length });
const series = (n: number) => ({ ref: n }) as unknown as MemSeries;

describe('KnownSeries', () => {
  it('finds a series by key only when its block is the same bytes', () => {
    const known = new KnownSeries();
    known.set(7, ref(block('a')), series(1));
    expect(known.get(7, ref(block('a')))).toEqual(series(1));
    // Another series under the same key (a hash collision) is not taken for it.
    expect(known.get(7, ref(block('b')))).toBeUndefined();
    expect(known.get(8, ref(block('a')))).toBeUndefined();
    known.clear();
    expect(known.get(7, ref(block('a')))).toBeUndefined();
  });

  it('keeps blocks longer than a chunk, and blocks stored before a chunk filled up', () => {
    const known = new KnownSeries();
    const blocks = Array.from({ length: 3000 }, (_, i) => block(`m${i}`, 'v'.repeat(i % 300)));
    const huge = block('huge', 'x'.repeat(300_000));
    blocks.forEach((b, i) => known.set(i, ref(b), series(i)));
    known.set(-1, ref(huge), series(-1));
    expect(blocks.every((b, i) => known.get(i, ref(b)) !== undefined)).toBe(true);
    expect(known.get(-1, ref(huge))).toEqual(series(-1));
    // A block that starts inside a larger buffer is compared by its range only.
    const inside = Buffer.concat([Buffer.from('junk'), blocks[5], Buffer.from('junk')]);
    expect(known.get(5, { buf: inside, start: 4, end: 4 + blocks[5].length })).toEqual(series(5));
  });
});
