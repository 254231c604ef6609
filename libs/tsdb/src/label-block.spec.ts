import { decodeLabelBlock, encodeLabelBlock, labelBlockHash, labelBlockOf } from './label-block';
import { type Labels, labelsFrom, labelsHash } from './labels';

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
  });

  it('refuse a block that ends inside a label', () => {
    const buf = Buffer.from('a\xffb', 'latin1');
    expect(() => decodeLabelBlock({ buf, start: 0, end: buf.length })).toThrow(RangeError);
  });
});
