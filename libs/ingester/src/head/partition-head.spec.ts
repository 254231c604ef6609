import { decodeIngestMessage, encodeIngestMessage } from '@strata/remote-write';
import { labelsFrom } from '@strata/tsdb';
import { PartitionHead } from './partition-head';

// Series as the ingester reads them off the stream: label blocks and the router's hash.
const series = (t: number[], v: number[], name = 'm') =>
  decodeIngestMessage(
    encodeIngestMessage('t', [
      {
        labels: labelsFrom({ __name__: name, tenant_id: 't' }),
        timestamps: new Float64Array(t),
        values: new Float64Array(v),
        exemplars: [],
      },
    ]),
  ).series[0];

describe('PartitionHead', () => {
  it('applies in order, skips sequences already applied and counts refused samples by reason', () => {
    const p = new PartitionHead(0);
    expect(
      p.apply(5, { tenant: 't', series: [series([1000, 2000], [1, 2])], metadata: [] }),
    ).toEqual({ appended: 2, rejected: null });
    expect(p.apply(5, { tenant: 't', series: [series([3000], [3])], metadata: [] }).appended).toBe(
      0,
    );
    const stats = p.apply(7, {
      tenant: 't',
      series: [series([1500, 2000, 4000], [9, 2, 4])],
      metadata: [],
    });
    expect(stats.appended).toBe(2); // the repeat of (2000, 2) is a no-op append
    expect(stats.rejected?.get('t')?.get('out_of_order_sample')).toBe(1);
    expect(p.lastSeq).toBe(7);
    expect(p.head.seriesByLabels(labelsFrom({ __name__: 'm', tenant_id: 't' }))?.numSamples()).toBe(
      3,
    );
  });
});
