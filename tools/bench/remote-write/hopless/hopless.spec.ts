import { LabelInjection, decodeWriteRequest, type DecodedSeries } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { labelsFor } from '../workload';
import { PrototypeHeads } from './heads';
import { InOrder } from './in-order';
import { forEachPacked, packWrite } from './packed-write';

const injection = new LabelInjection([{ name: '__tenant__', value: 't1', override: true }]);

/** The bench's series `0..series-1`, each with `samples` samples 15 s apart from `startMs`. */
function decoded(series: number, samples: number, startMs = 1_700_000_000_000): DecodedSeries[] {
  const body = encodeWriteRequestV1({
    metadata: [],
    series: Array.from({ length: series }, (_, i) => ({
      labels: labelsFor(i),
      timestamps: Float64Array.from({ length: samples }, (_, j) => startMs + j * 15_000),
      values: Float64Array.from({ length: samples }, (_, j) => i + j),
      exemplars: [],
    })),
  });
  return [...decodeWriteRequest(body, 'v1', {}, injection).series];
}

function applyDirect(heads: PrototypeHeads, series: readonly DecodedSeries[]): void {
  for (const s of series)
    heads.apply(s, s.hashLow52, s.timestamps, s.values, 0, s.timestamps.length);
}

/** Each partition's series as label pairs and chunk bytes, in the order they were created. */
function contents(heads: PrototypeHeads): string[][] {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return heads.heads.map((h) =>
    [...h.allSeries()].map(
      (s) =>
        `${s.pairs.join(',')} ${s.chunks.map((c) => hex(c.bytes)).join(' ')} ${hex(s.headChunk?.bytes() ?? new Uint8Array())}`,
    ),
  );
}

describe('hop-less prototype heads', () => {
  it('counts every sample of closed and open chunks once', () => {
    const heads = new PrototypeHeads(4);
    // 130 samples a series: a closed chunk of 120 and an open one of 10.
    applyDirect(heads, decoded(300, 130));
    expect(heads.counts()).toEqual({ series: 300, samples: 300 * 130, refused: 0 });
  });

  it('builds the same heads from a transferred packed write as from the decoded series', async () => {
    const first = decoded(200, 3);
    const later = decoded(200, 2, 1_700_000_000_000 + 60_000);
    const direct = new PrototypeHeads(3);
    applyDirect(direct, first);
    applyDirect(direct, later);
    const packed = new PrototypeHeads(3);
    for (const batch of [first, later]) {
      // Through a transfer, as the worker receives it: the sender's buffer is detached.
      const { port1, port2 } = new MessageChannel();
      port2.unref();
      const buffer = packWrite(batch);
      const received = new Promise<ArrayBuffer>((r) =>
        port2.once('message', (m: ArrayBuffer) => r(m)),
      );
      port1.postMessage(buffer, [buffer]);
      expect(buffer.byteLength).toBe(0);
      forEachPacked(await received, packed.apply.bind(packed));
      port1.close();
    }
    expect(packed.counts()).toEqual({ series: 200, samples: 1_000, refused: 0 });
    expect(direct.counts()).toEqual(packed.counts());
    expect(contents(packed)).toEqual(contents(direct));
  });

  it('counts samples the heads refuse instead of holding them', () => {
    const heads = new PrototypeHeads(2);
    applyDirect(heads, decoded(10, 5, 1_700_000_100_000));
    // Older than every series' newest sample, with no out-of-order window.
    applyDirect(heads, decoded(10, 1, 1_700_000_000_000));
    expect(heads.counts()).toEqual({ series: 10, samples: 50, refused: 10 });
  });
});

describe('InOrder', () => {
  it('applies sequences in stream order whatever order their acks come in', async () => {
    const applied: number[] = [];
    const order = new InOrder<string>(4, (seq, item) => applied.push(seq * 10 + item.length));
    const third = order.submit(7, 'ccc');
    const first = order.submit(5, 'a');
    expect(applied).toEqual([51]);
    const second = order.submit(6, 'bb');
    expect(await Promise.all([first, second, third])).toEqual([true, true, true]);
    expect(applied).toEqual([51, 62, 73]);
    // A deduplicated publish is acked with the sequence it was stored at the first time.
    expect(await order.submit(6, 'bb')).toBe(false);
    expect(applied).toEqual([51, 62, 73]);
  });
});
