import { IngestMessageView, encodeIngestMessage } from '@strata/remote-write';
import { labelsFrom } from '@strata/tsdb';
import { PartitionHead } from '../head/partition-head';
import { decodeHeadSnapshot, encodeHeadSnapshot } from './head-snapshot';

const TENANT = 'crash';

// Write `i` of a sender: one sample at 1000 + 10 i on each of its series, as the crash int-spec sends.
const write = (i: number, series: string[]) =>
  encodeIngestMessage(
    TENANT,
    series.map((instance) => ({
      labels: labelsFrom({ __name__: 'wp_crash', instance, tenant_id: TENANT }),
      timestamps: new Float64Array([1000 + 10 * i]),
      values: new Float64Array([i]),
      exemplars: [],
    })),
    [],
    { outOfOrderWindowMs: 0 },
  );

interface Outcome {
  samples: number;
  discarded: Record<string, number>;
  lastSeq: number;
}

function outcome(p: PartitionHead): Outcome {
  let samples = 0;
  for (const s of p.tenantHead(TENANT)?.querier(-Infinity, Infinity).select([]) ?? []) {
    const it = s.iterator();
    while (it.next()) samples++;
  }
  const discarded = Object.fromEntries(p.tenantState(TENANT)?.discarded ?? []);
  return { samples, discarded, lastSeq: p.lastSeq };
}

// Applies stream sequences `from`..end (1-based) as the partition runner does.
function replay(p: PartitionHead, stream: Uint8Array[], from: number): PartitionHead {
  for (let seq = from; seq <= stream.length; seq++)
    p.apply(seq, IngestMessageView.read(stream[seq - 1]));
  return p;
}

// Crashes after sequence `k` with a snapshot covering it, restores, and replays from the
// boundary itself (a redelivery of the last applied message, as after a crash before its ack).
function crashedAt(stream: Uint8Array[], k: number): PartitionHead {
  const before = replay(new PartitionHead(0), stream.slice(0, k), 1);
  const snap = decodeHeadSnapshot(
    encodeHeadSnapshot(0, before.lastSeq, before.tenantStates(), {
      exemplars: before.exemplars.entries(),
      metadata: before.families(),
    }),
  );
  const restored = new PartitionHead(0, { tenants: snap.tenants, coveredSeq: snap.coveredSeq });
  return replay(restored, stream, Math.max(1, k));
}

describe('snapshot and replay of a partition with two senders', () => {
  const shared = ['i0', 'i1', 'i2', 'i3'];
  // Two senders' writes 3 and 4 reach the stream swapped, as their retries after a router crash can.
  const order = [0, 1, 2, 4, 3, 5, 6];

  it('refuses, after its ack, the older of two writes to the same series stored out of order', () => {
    const stream = order.map((i) => write(i, shared));
    expect(outcome(replay(new PartitionHead(0), stream, 1))).toEqual({
      samples: 6 * shared.length,
      discarded: { out_of_order_sample: shared.length },
      lastSeq: order.length,
    });
  });

  it('rebuilds exactly the live heads and discard counts from a snapshot at any sequence', () => {
    const stream = order.map((i) => write(i, shared));
    const live = outcome(replay(new PartitionHead(0), stream, 1));
    for (let k = 0; k <= stream.length; k++)
      expect([k, outcome(crashedAt(stream, k))]).toEqual([k, live]);
  });

  it('stores every write of senders that each own their series, whatever the order between them', () => {
    const stream = order.map((i) => write(i, i % 2 === 0 ? ['a0', 'a1'] : ['b0', 'b1']));
    const expected = { samples: 2 * order.length, discarded: {}, lastSeq: order.length };
    expect(outcome(replay(new PartitionHead(0), stream, 1))).toEqual(expected);
    for (let k = 0; k <= stream.length; k++)
      expect([k, outcome(crashedAt(stream, k))]).toEqual([k, expected]);
  });
});
