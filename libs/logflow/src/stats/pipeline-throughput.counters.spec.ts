import { type LogRecord } from '@strata/contracts';
import { PipelineThroughputCounters } from './pipeline-throughput.counters';

const record = (line: string): LogRecord => ({ timestampNs: '1', line, labels: {}, fields: {} });

describe('PipelineThroughputCounters', () => {
  it('counts records and UTF-8 bytes in, and per sink what was sent, dead-lettered and failed', () => {
    const counters = new PipelineThroughputCounters();
    counters.batch('acme', 'web', [record('héllo'), record('ok')]);
    // Delivered on the third attempt: two failed sends.
    counters.delivery('acme', 'web', 'good', 2, 0, 3);
    // Gave up after two attempts: both failed.
    counters.delivery('acme', 'web', 'bad', 0, 2, 2);
    const reply = counters.reply('acme', 'web');
    expect(reply.counts).toEqual({
      receivedEvents: 2,
      receivedBytes: 8,
      sentEvents: 2,
      deadEvents: 2,
      failedSends: 4,
      batches: 1,
      sinks: {
        good: { receivedEvents: 2, sentEvents: 2, deadEvents: 0, failedSends: 2 },
        bad: { receivedEvents: 2, sentEvents: 0, deadEvents: 2, failedSends: 2 },
      },
    });
    expect(counters.reply('acme', 'other').counts).toBeNull();
    expect(counters.reply('other', 'web').counts).toBeNull();
  });

  it('answers a copy, so later counts do not change an answer already given', () => {
    const counters = new PipelineThroughputCounters();
    counters.batch('acme', 'web', [record('a')]);
    const first = counters.reply('acme', 'web');
    counters.batch('acme', 'web', [record('b')]);
    expect(first.counts?.receivedEvents).toBe(1);
    expect(counters.reply('acme', 'web').counts?.receivedEvents).toBe(2);
    expect(first.instance).toBe(counters.reply('acme', 'web').instance);
  });
});
