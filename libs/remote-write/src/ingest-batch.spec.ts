import { RemoteWriteError } from './errors';
import { encodeIngestBatch, ingestMessagesOf } from './ingest-batch';
import { IngestMessageView, encodeIngestMessage } from './ingest-codec';
import { labelsFrom } from '@strata/tsdb';

const series = (name: string) => [
  {
    labels: labelsFrom({ __name__: name }),
    timestamps: new Float64Array([1000]),
    values: new Float64Array([1]),
    exemplars: [],
  },
];

describe('ingest batch', () => {
  it('holds several tenants’ messages that read back one by one, in order', () => {
    const a = encodeIngestMessage('acme', series('a'));
    const b = encodeIngestMessage('beta', series('b'));
    const parts = ingestMessagesOf(encodeIngestBatch([a, b]));
    expect(parts.map((p) => IngestMessageView.read(p).tenant)).toEqual(['acme', 'beta']);
    expect(Buffer.concat(parts)).toEqual(Buffer.concat([a, b]));
  });

  it('reads a message stored before batches as itself', () => {
    const a = encodeIngestMessage('acme', series('a'));
    expect(ingestMessagesOf(a)).toEqual([a]);
  });

  it('refuses a batch whose framing is cut short, and keeps a damaged part from hiding the others', () => {
    const a = encodeIngestMessage('acme', series('a'));
    const batch = encodeIngestBatch([a, a]);
    expect(() => ingestMessagesOf(batch.subarray(0, batch.length - 3))).toThrow(RemoteWriteError);
    const damaged = Buffer.from(batch);
    damaged[damaged.length - 1] ^= 0xff;
    const parts = ingestMessagesOf(damaged);
    expect(IngestMessageView.read(parts[0]).tenant).toBe('acme');
    expect(() => IngestMessageView.read(parts[1])).toThrow(RemoteWriteError);
  });
});
