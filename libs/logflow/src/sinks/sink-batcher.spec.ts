import { type LogRecord } from '@strata/contracts';
import { SinkBatcher } from './sink-batcher';
import { type DeliveryOutcome } from './sink-delivery';

const rec = (line: string): LogRecord => ({ timestampNs: '1', line, labels: {}, fields: {} });

describe('SinkBatcher', () => {
  it('sends stored batches together at max_events and gives each its own dead letters', async () => {
    const sent: Array<{ lines: string[]; id: string }> = [];
    const batcher = new SinkBatcher(
      (records, id) => {
        sent.push({ lines: records.map((r) => r.line), id });
        // The sink refuses one record of the second stored batch.
        const refused = records.filter((r) => r.line === 'b2');
        return Promise.resolve<DeliveryOutcome>({
          delivered: records.length - refused.length,
          attempts: 1,
          dead: [{ records: refused, error: 'bad', attempts: 1 }],
        });
      },
      { max_events: 4, timeout_secs: 30 },
    );
    const a = batcher.submit([rec('a1'), rec('a2')], 'A');
    const b = batcher.submit([rec('b1'), rec('b2')], 'B');
    const [sa, sb] = await Promise.all([a, b]);
    expect(sent).toEqual([{ lines: ['a1', 'a2', 'b1', 'b2'], id: 'A+1' }]);
    expect(sa).toEqual({ delivered: 2, attempts: 1, dead: [] });
    expect(sb.delivered).toBe(1);
    expect(sb.dead.map((d) => d.records.map((r) => r.line))).toEqual([['b2']]);
  });

  it('sends what it gathered at the timeout, and a failed send fails every stored batch in it', async () => {
    jest.useFakeTimers();
    try {
      const deliver = jest.fn(() => Promise.reject(new Error('stopped')));
      const batcher = new SinkBatcher(deliver, { max_events: 100, timeout_secs: 2 });
      const a = batcher.submit([rec('x')], 'A');
      const b = batcher.submit([rec('y')], 'B');
      jest.advanceTimersByTime(1_999);
      expect(deliver).not.toHaveBeenCalled();
      jest.advanceTimersByTime(1);
      await expect(a).rejects.toThrow('stopped');
      await expect(b).rejects.toThrow('stopped');
      expect(deliver).toHaveBeenCalledTimes(1);
    } finally {
      jest.useRealTimers();
    }
  });
});
