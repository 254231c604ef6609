import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConsumedMessage } from '@strata/bus';
import { fakeBus } from '@strata/bus/testing';
import { encodeIngestBatch, encodeIngestMessage } from '@strata/remote-write';
import { labelsFrom } from '@strata/tsdb';
import { type IngesterObserver } from './ingester.metrics';
import { PartitionRunner } from './partition.runner';
import { encodeHeadSnapshot } from './snapshot/head-snapshot';
import { SnapshotStore } from './snapshot/snapshot.store';

const TENANT = 't';
const SERIES_PER_MESSAGE = 500;

// Round `round` of message `k`: one sample on each of its own series, as a router's write splits.
const ingest = (k: number, round: number) =>
  encodeIngestMessage(
    TENANT,
    Array.from({ length: SERIES_PER_MESSAGE }, (_, i) => ({
      labels: labelsFrom({ __name__: 'm', instance: `i${k}-${i}`, tenant_id: TENANT }),
      timestamps: new Float64Array([1000 + 15_000 * round]),
      values: new Float64Array([round]),
      exemplars: [],
    })),
    [],
    { outOfOrderWindowMs: 0 },
  );

interface Delivered {
  done: Promise<void>;
  acked: () => boolean;
  termed: () => boolean;
}

const observer: IngesterObserver = {
  applied: () => undefined,
  dropped: () => undefined,
  snapshotted: () => undefined,
  activeSeries: () => undefined,
  lag: () => undefined,
  owned: () => undefined,
  resynced: () => undefined,
};

describe('PartitionRunner snapshots', () => {
  let dir: string;
  let runner: PartitionRunner;
  let handler: (m: ConsumedMessage) => Promise<void>;
  let seq = 0;
  let deliverySeq = 0;

  // Hands the runner the next stream message, as its JetStream consumer would.
  const deliver = (data: Uint8Array): Delivered => {
    let acked = false;
    let termed = false;
    const m: ConsumedMessage = {
      subject: 'ingest',
      seq: ++seq,
      data,
      headers: {},
      deliveryCount: 1,
      deliverySeq: ++deliverySeq,
      json: () => {
        throw new Error('binary');
      },
      ack: () => {
        acked = true;
      },
      nak: () => undefined,
      term: () => {
        termed = true;
      },
    };
    return { done: handler(m), acked: () => acked, termed: () => termed };
  };

  const samplesHeld = () => {
    let n = 0;
    for (const s of runner.state.tenantHead(TENANT)?.querier(-Infinity, Infinity).select([]) ??
      []) {
      const it = s.iterator();
      while (it.next()) n++;
    }
    return n;
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-runner-'));
    seq = 0;
    deliverySeq = 0;
    const bus = {
      ...fakeBus(),
      lastSequence: () => Promise.resolve(0),
      removeConsumers: () => Promise.resolve(),
      consumerBacklog: () => Promise.resolve(0),
      consume: (_spec: unknown, h: (m: ConsumedMessage) => Promise<void>) => {
        handler = h;
        return Promise.resolve({ stop: () => Promise.resolve() });
      },
    };
    runner = await PartitionRunner.start(0, 1, {
      bus,
      routes: { open: () => ({ stop: () => Promise.resolve() }) },
      snapshots: new SnapshotStore(dir),
      observer,
      headOptions: {},
      exemplarsPerTenant: 0,
    });
  });

  afterEach(async () => {
    await runner.stop(false);
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers exactly what was applied before it, and applies what arrives meanwhile after it', async () => {
    // 40,000 series of 8 samples: an encoding long enough for deliveries to arrive during it.
    for (let round = 0; round < 8; round++)
      for (let k = 0; k < 80; k++) await deliver(ingest(k, round)).done;
    const coveredSeq = runner.state.lastSeq;
    const whole = encodeHeadSnapshot(0, coveredSeq, runner.state.tenantStates(), {
      metadata: runner.state.families(),
    });

    const snapshot = runner.snapshot();
    await new Promise((r) => setImmediate(r));
    // Deliveries during the encoding wait for it: the snapshot must not hold half of them.
    const during = [8, 9].map((round) => deliver(ingest(0, round)));
    await snapshot;

    expect((await new SnapshotStore(dir).read(0, {}))?.coveredSeq).toBe(coveredSeq);
    // Byte-compared natively: jest's deep equality walks a Buffer of megabytes element by element.
    expect(readFileSync(join(dir, 'ingester', 'partition-0.snapshot')).equals(whole)).toBe(true);
    await Promise.all(during.map((d) => d.done));
    expect(during.map((d) => d.acked())).toEqual([true, true]);
    expect(runner.state.lastSeq).toBe(coveredSeq + 2);
    expect(samplesHeld()).toBe(8 * 80 * SERIES_PER_MESSAGE + 2 * SERIES_PER_MESSAGE);
  });

  it('applies deliveries held during a snapshot in stream order', async () => {
    for (let k = 0; k < 40; k++) await deliver(ingest(k, 0)).done;
    const snapshot = runner.snapshot();
    await new Promise((r) => setImmediate(r));
    // Two rounds of the same series: applied out of order, the first would be refused as too old.
    const held = [1, 2, 3].map((round) => deliver(ingest(7, round)));
    await snapshot;
    await Promise.all(held.map((d) => d.done));
    expect(runner.state.tenantState(TENANT)?.discarded.size ?? 0).toBe(0);
    expect(samplesHeld()).toBe(40 * SERIES_PER_MESSAGE + 3 * SERIES_PER_MESSAGE);
  });

  it('applies a batch’s parts under its one sequence, a damaged part costing only its own samples, and skips the batch redelivered', async () => {
    const other = encodeIngestMessage('u', [
      {
        labels: labelsFrom({ __name__: 'm', tenant_id: 'u' }),
        timestamps: new Float64Array([1000]),
        values: new Float64Array([1]),
        exemplars: [],
      },
    ]);
    const damaged = Buffer.from(ingest(1, 0));
    damaged[damaged.length - 1] ^= 0xff;
    const batch = encodeIngestBatch([ingest(0, 0), other, damaged, ingest(2, 0)]);
    const applied = jest.spyOn(observer, 'applied');
    const first = deliver(batch);
    await first.done;
    // Settled without a redelivery (it would fail the same way), the good parts applied.
    expect(first.termed()).toBe(true);
    expect(runner.state.lastSeq).toBe(1);
    expect(samplesHeld()).toBe(2 * SERIES_PER_MESSAGE);
    expect(runner.state.tenantHead('u')?.numSeries()).toBe(1);
    expect(applied.mock.calls.map(([tenant]) => tenant)).toEqual([TENANT, 'u', TENANT]);
    // The same stream message again (an ack lost before a restart): nothing is applied twice.
    seq -= 1;
    const again = deliver(batch);
    await again.done;
    expect(again.acked()).toBe(true);
    expect(applied).toHaveBeenCalledTimes(3);
    applied.mockRestore();
    expect(samplesHeld()).toBe(2 * SERIES_PER_MESSAGE);
    expect(runner.state.tenantHead('u')?.numSeries()).toBe(1);
  });
});
