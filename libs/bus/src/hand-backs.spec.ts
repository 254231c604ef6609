import { type JsMsg } from '@nats-io/jetstream';
import { HandBacks } from './hand-backs';

function message(seq: number, naks: number[]): JsMsg {
  return { seq, nak: () => naks.push(seq) } as unknown as JsMsg;
}

const durable = { stream: 'S', name: 'd', created: '2026-12-06T07:00:00Z' };

describe('HandBacks', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("gives the durable's next consumer what the last ones left, in stream order, once", () => {
    const naks: number[] = [];
    const handBacks = new HandBacks(1_000);
    handBacks.leave(durable, [message(7, naks), message(3, naks)]);
    handBacks.leave(durable, [message(5, naks)]);
    handBacks.leave({ ...durable, name: 'other' }, [message(4, naks)]);
    expect(handBacks.take(durable).map((m) => m.seq)).toEqual([3, 5, 7]);
    expect(handBacks.take(durable)).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(naks).toEqual([4]);
  });

  it('keeps nothing for a durable deleted and made again under the same name', () => {
    const naks: number[] = [];
    const handBacks = new HandBacks(1_000);
    handBacks.leave(durable, [message(1, naks)]);
    expect(handBacks.take({ ...durable, created: '2026-12-06T07:00:01Z' })).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(naks).toEqual([1]);
  });

  it('hands back to the server what no consumer takes in time, or when the connection drains', () => {
    const naks: number[] = [];
    const handBacks = new HandBacks(1_000);
    handBacks.leave(durable, [message(2, naks), message(1, naks)]);
    jest.advanceTimersByTime(999);
    expect(naks).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(naks).toEqual([1, 2]);
    expect(handBacks.take(durable)).toEqual([]);
    handBacks.leave({ ...durable, name: 'e' }, [message(9, naks)]);
    handBacks.release();
    expect(naks).toEqual([1, 2, 9]);
    jest.advanceTimersByTime(1_000);
    expect(naks).toEqual([1, 2, 9]);
  });
});
