import {
  decodeLabelBlock,
  encodeLabelBlock,
  labelBlockEquals,
  labelBlockHash,
  labelBlockOf,
} from './label-block';
import { type Labels, labelsFrom, labelsHash } from './labels';

const pairsOf = (l: Labels): string[] => l.flatMap((x) => [x.name, x.value]);

describe('label blocks', () => {
  const sets: Labels[] = [
    labelsFrom({}),
    labelsFrom({ __name__: 'up' }),
    labelsFrom({ __name__: 'http_requests_total', code: '200', job: 'api', path: '/a b' }),
    labelsFrom({ __name__: 'x', city: 'Zürich', emoji: '🌍', empty_after: 'ok' }),
  ];

  it("hash like labelsHash (Prometheus' name 0xff value 0xff layout) and decode back", () => {
    for (const labels of sets) {
      const block = labelBlockOf(labels);
      expect(labelBlockHash(block)).toBe(labelsHash(labels));
      expect(decodeLabelBlock(block)).toEqual(labels);
    }
    const block = encodeLabelBlock(labelsFrom({ a: 'b' }));
    expect(block.toString('latin1')).toBe('a\xffb\xff');
  });

  it('find the labels they encode inside a larger buffer', () => {
    const inner = encodeLabelBlock(sets[2]);
    const buf = Buffer.concat([Buffer.from('junk'), inner, Buffer.from('tail')]);
    const ref = { buf, start: 4, end: 4 + inner.length };
    expect(decodeLabelBlock(ref)).toEqual(sets[2]);
    expect(labelBlockEquals(ref, pairsOf(sets[2]))).toBe(true);
  });

  it('compare equal to exactly the same labels, ASCII or not', () => {
    for (const a of sets) {
      for (const b of sets) expect(labelBlockEquals(labelBlockOf(a), pairsOf(b))).toBe(a === b);
    }
    const base = labelsFrom({ __name__: 'up', job: 'api' });
    const near: Labels[] = [
      labelsFrom({ __name__: 'up', job: 'ap' }),
      labelsFrom({ __name__: 'up', job: 'apis' }),
      labelsFrom({ __name__: 'up', jo: 'bapi' }),
      labelsFrom({ __name__: 'up', job: 'api', z: '1' }),
      labelsFrom({ __name__: 'up', job: 'apí' }),
    ];
    for (const n of near) {
      expect(labelBlockEquals(labelBlockOf(base), pairsOf(n))).toBe(false);
      expect(labelBlockEquals(labelBlockOf(n), pairsOf(base))).toBe(false);
    }
  });

  it('refuse a block that ends inside a label', () => {
    const buf = Buffer.from('a\xffb', 'latin1');
    expect(() => decodeLabelBlock({ buf, start: 0, end: buf.length })).toThrow(RangeError);
    expect(labelBlockEquals({ buf, start: 0, end: buf.length }, ['a', 'b'])).toBe(false);
  });
});
