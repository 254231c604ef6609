import {
  addThroughput,
  emptyThroughput,
  type PipelineThroughput,
  throughputRates,
} from './pipeline-stats';

const reading = (
  received: number,
  sent: number,
  dead: number,
  failed: number,
): PipelineThroughput => ({
  receivedEvents: received,
  receivedBytes: received * 10,
  sentEvents: sent,
  deadEvents: dead,
  failedSends: failed,
  batches: received,
  sinks: {
    out: { receivedEvents: received, sentEvents: sent, deadEvents: dead, failedSends: failed },
  },
});

describe('pipeline throughput', () => {
  it('sums replicas, sinks by id', () => {
    const sum = emptyThroughput();
    addThroughput(sum, reading(5, 4, 1, 2));
    addThroughput(sum, { ...reading(3, 3, 0, 0), sinks: { other: reading(3, 3, 0, 0).sinks.out } });
    expect(sum).toEqual({
      receivedEvents: 8,
      receivedBytes: 80,
      sentEvents: 7,
      deadEvents: 1,
      failedSends: 2,
      batches: 8,
      sinks: {
        out: { receivedEvents: 5, sentEvents: 4, deadEvents: 1, failedSends: 2 },
        other: { receivedEvents: 3, sentEvents: 3, deadEvents: 0, failedSends: 0 },
      },
    });
  });

  it('gives per-second rates between two readings, and 0 where a counter went back', () => {
    const before = { readAt: 10_000, totals: reading(100, 90, 5, 10) };
    expect(throughputRates(before, { readAt: 14_000, totals: reading(140, 120, 9, 14) })).toEqual({
      inPerSecond: 10,
      outPerSecond: 7.5,
      errorsPerSecond: 2,
      bytesInPerSecond: 100,
    });
    // A replica restarted between the readings: its counts started again at zero.
    expect(
      throughputRates(before, { readAt: 12_000, totals: reading(20, 20, 0, 0) }).inPerSecond,
    ).toBe(0);
  });
});
