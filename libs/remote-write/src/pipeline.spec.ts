import { Head, matcher } from '@strata/tsdb';
import { decodeHttpWrite } from './decode';
import { encodeWriteRequestV2 } from './encode';
import { generateBatch } from './generate';
import { decodeIngestMessage, encodeIngestMessage } from './ingest-codec';
import { splitByPartition } from './series-hash';

describe('write path from a remote write body to a queryable head', () => {
  it('decodes, partitions, crosses the ingest codec and lands in per-partition heads', () => {
    const sent = generateBatch({ series: 400, samplesPerSeries: 3, tenant: 'acme', seed: 5 });
    const { batch } = decodeHttpWrite(encodeWriteRequestV2(sent), {
      contentType: 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
      contentEncoding: 'snappy',
    });
    const heads = new Map<number, Head>();
    for (const [partition, series] of splitByPartition(batch.series, 3)) {
      const msg = decodeIngestMessage(encodeIngestMessage('acme', series));
      const head = heads.get(partition) ?? new Head();
      heads.set(partition, head);
      for (const s of msg.series) {
        const r = head.appendSamples(s.labels, s.timestamps, s.values);
        expect(r.appended).toBe(3);
      }
    }
    let total = 0;
    let samples = 0;
    for (const head of heads.values()) {
      total += head.activeSeries('acme');
      for (const s of head.querier(0, Infinity).select([matcher('=', 'tenant_id', 'acme')])) {
        const it = s.iterator();
        while (it.next()) samples++;
      }
    }
    expect(total).toBe(400);
    expect(samples).toBe(1200);
  });
});
