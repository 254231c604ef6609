import { type ParsedBatch, ParsedBatchHandover } from './parsed-batches';

const batch = (text: string): ParsedBatch => ({ kind: 'audit', text, items: [] });

describe('the handover of parsed batches', () => {
  it('holds nothing while no consumer of this process takes batches', () => {
    const handover = new ParsedBatchHandover({ batches: 4, ageMs: 1_000 });
    handover.put('a', batch('a'));
    expect(handover.take('a')).toBeUndefined();
    const close = handover.open();
    handover.put('a', batch('a'));
    close();
    expect(handover.size).toBe(0);
    expect(handover.take('a')).toBeUndefined();
  });

  it('gives a batch once, to the first take of its id', () => {
    const handover = new ParsedBatchHandover({ batches: 4, ageMs: 1_000 });
    handover.open();
    const a = batch('a');
    handover.put('a', a);
    handover.put('b', batch('b'));
    expect(handover.take('a')).toBe(a);
    expect(handover.take('a')).toBeUndefined();
    expect(handover.take('c')).toBeUndefined();
    handover.drop('b');
    expect(handover.take('b')).toBeUndefined();
  });

  it('lets the oldest go past its limits, so a backlog is parsed from the stored bytes', () => {
    const handover = new ParsedBatchHandover({ batches: 2, ageMs: 1_000 });
    handover.open();
    handover.put('a', batch('a'), 0);
    handover.put('b', batch('b'), 10);
    handover.put('c', batch('c'), 20);
    expect(handover.size).toBe(2);
    expect(handover.take('a', 20)).toBeUndefined();
    expect(handover.take('b', 20)?.text).toBe('b');
    // Too old to be taken, and gone once a newer batch arrives.
    expect(handover.take('c', 1_021)).toBeUndefined();
    handover.put('d', batch('d'), 30);
    handover.put('e', batch('e'), 1_031);
    expect(handover.size).toBe(1);
    expect(handover.take('e', 1_031)?.text).toBe('e');
  });

  it('keeps holding while any of several consumers is open', () => {
    const handover = new ParsedBatchHandover({ batches: 4, ageMs: 1_000 });
    const first = handover.open();
    const second = handover.open();
    first();
    first();
    handover.put('a', batch('a'));
    expect(handover.take('a')?.text).toBe('a');
    second();
    handover.put('a', batch('a'));
    expect(handover.size).toBe(0);
  });
});
