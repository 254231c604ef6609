import { Head, matcher } from '@strata/tsdb';
import { decodeHttpWrite } from './decode';
import { encodeWriteRequestV2 } from '../testing/encode';
import { generateBatch } from '../testing/generate';
import { decodeIngestMessage, encodeIngestMessage } from './ingest-codec';
import { type DecodedSeries } from './decoded-series';
import { NO_INJECTION } from './label-block-builder';
import { partitionOf } from './series-hash';

describe('write path from a remote write body to a queryable head', () => {
  it('decodes, partitions, crosses the ingest codec and lands in per-partition heads', () => {
    const sent = generateBatch({ series: 400, samplesPerSeries: 3, tenant: 'acme', seed: 5 });
    const { batch } = decodeHttpWrite(
      encodeWriteRequestV2(sent),
      {
        contentType: 'application/x-protobuf;proto=io.prometheus.write.v2.Request',
        contentEncoding: 'snappy',
      },
      {},
      NO_INJECTION,
    );
    const heads = new Map<number, Head>();
    const parts = new Map<number, DecodedSeries[]>();
    for (const s of batch.series) {
      const p = partitionOf(s.hash, 3);
      parts.set(p, [...(parts.get(p) ?? []), s]);
    }
    for (const [partition, series] of parts) {
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
