import {
  chunkMsgId,
  formatChunkPart,
  isChunkHeader,
  joinParts,
  parseChunkPart,
  splitPayload,
} from './chunking';
import { ChunkAssemblyError } from './errors';
import { acceptsTermReason, consumerConfig } from './consumer';
import { streamConfig } from './streams';

describe('chunk helpers', () => {
  it('splits into parts of at most the given size and joins them back', () => {
    const data = Uint8Array.from({ length: 10 }, (_, i) => i);
    const parts = splitPayload(data, 4);
    expect(parts.map((p) => p.length)).toEqual([4, 4, 2]);
    expect(joinParts(parts, 10)).toEqual(data);
    expect(splitPayload(new Uint8Array(0), 4)).toHaveLength(1);
  });

  it('refuses a reassembly of the wrong size', () => {
    expect(() => joinParts([new Uint8Array(3)], 4)).toThrow(ChunkAssemblyError);
  });

  it('parses and formats part headers, rejecting nonsense', () => {
    expect(parseChunkPart(formatChunkPart(2, 5))).toEqual({ index: 2, count: 5 });
    expect(parseChunkPart(undefined)).toBeNull();
    for (const bad of ['5/5', '1/0', 'x/2', '1-2'])
      expect(() => parseChunkPart(bad)).toThrow(ChunkAssemblyError);
  });

  it('derives per-part message ids from the message id, and recognises its own headers', () => {
    expect(chunkMsgId('write-7', 1, 3)).toBe('write-7:1/3');
    expect(isChunkHeader('strata-chunk-seqs')).toBe(true);
    expect(isChunkHeader('X-Tenant')).toBe(false);
  });
});

describe('JetStream configuration from specs', () => {
  it('maps a stream spec, capping the duplicate window at the retention', () => {
    const config = streamConfig({
      name: 'S',
      subjects: ['a.>'],
      retention: 'workqueue',
      maxAgeMs: 30_000,
      storage: 'memory',
    });
    expect(config).toMatchObject({
      name: 'S',
      retention: 'workqueue',
      storage: 'memory',
      max_age: 30_000 * 1e6,
      duplicate_window: 30_000 * 1e6,
    });
    expect(streamConfig({ name: 'S', subjects: ['a.>'] })).toMatchObject({
      retention: 'limits',
      max_age: 0,
      duplicate_window: 120_000 * 1e6,
    });
  });

  it('sends a term reason only to servers that understand it', () => {
    expect(acceptsTermReason('2.9.10')).toBe(false);
    expect(acceptsTermReason('2.10.0')).toBe(true);
    expect(acceptsTermReason('3.0.1')).toBe(true);
  });

  it('maps a consumer spec, ordered meaning one message in flight', () => {
    const config = consumerConfig(
      {
        stream: 'S',
        durableName: 'd',
        maxDeliver: 5,
        filterSubjects: ['a.b'],
        deliverPolicy: { startSeq: 42 },
      },
      { ordered: true },
    );
    expect(config).toMatchObject({
      durable_name: 'd',
      ack_policy: 'explicit',
      max_deliver: 5,
      max_ack_pending: 1,
      filter_subject: 'a.b',
      deliver_policy: 'by_start_sequence',
      opt_start_seq: 42,
    });
    expect(
      consumerConfig({ stream: 'S', durableName: 'd', filterSubjects: ['a', 'b'] }, {}),
    ).toMatchObject({ filter_subjects: ['a', 'b'], max_deliver: -1 });
  });
});
