import { type Bus, type PublishAck } from '@strata/bus';
import { DEFAULT_QUOTA } from '@strata/contracts';
import { decodeIngestMessage, ingestMessagesOf } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { labelsFrom } from '@strata/tsdb';
import { TokenBuckets } from '@strata/service-kit';
import { type ActiveSeriesTracker } from '../limits/active-series.tracker';
import { type TenantLimitsCache } from '../limits/tenant-limits.cache';
import { PartitionBatcher } from './partition-batcher';
import { tenantLabelInjection } from './relabel';
import { WriteHandler } from './write.handler';

const T = Date.now();

/** A bus whose publishes are stored only when the spec says so, in order. */
function heldBus() {
  const published: Array<{ subject: string; msgId: string; data: Uint8Array }> = [];
  const waiting: Array<{ settle: (error?: Error) => void }> = [];
  const bus = {
    publish: (subject: string, data: Uint8Array, o?: { msgId?: string }) =>
      new Promise<PublishAck>((resolve, reject) => {
        waiting.push({
          settle: (error) => {
            if (error) return reject(error);
            published.push({ subject, data, msgId: o?.msgId ?? '' });
            resolve({ stream: 'S', seq: published.length, duplicate: false });
          },
        });
      }),
  } as unknown as Bus;
  const turn = () => new Promise((r) => setImmediate(r));
  return {
    bus,
    published,
    /** Publishes started and not yet stored. */
    inFlight: () => waiting.length,
    async store(error?: Error): Promise<void> {
      await turn();
      for (const w of waiting.splice(0)) w.settle(error);
      await turn();
    },
  };
}

describe('PartitionBatcher', () => {
  it('puts what arrives while a partition publishes into one message and answers each caller with it', async () => {
    const held = heldBus();
    const batches: number[] = [];
    const b = new PartitionBatcher(held.bus, 1024, 64, (n) => batches.push(n));
    const settled: string[] = [];
    const track = (name: string, p: Promise<void>) =>
      p.then(
        () => settled.push(name),
        () => settled.push(`${name} failed`),
      );
    const first = track('a', b.publish(0, Buffer.from('a'), 'id-a'));
    await new Promise((r) => setImmediate(r));
    expect(held.inFlight()).toBe(1);
    const rest = [
      track('b', b.publish(0, Buffer.from('b'), 'id-b')),
      track('c', b.publish(0, Buffer.from('c'), 'id-c')),
      track('other', b.publish(1, Buffer.from('x'), 'id-x')),
    ];
    await held.store();
    await first;
    // b and c wait for a's publish; partition 1 had nothing in flight.
    expect(settled.sort()).toEqual(['a', 'other']);
    expect(held.inFlight()).toBe(1);
    await held.store();
    await Promise.all(rest);
    expect(settled.sort()).toEqual(['a', 'b', 'c', 'other']);
    expect(held.published.map((p) => p.msgId)).toEqual([
      'id-a',
      'id-x',
      expect.stringMatching(/^batch\./),
    ]);
    expect(ingestMessagesOf(held.published[2].data).map(String)).toEqual(['b', 'c']);
    expect(batches).toEqual([1, 1, 2]);
  });

  it('fails every write of a batch whose publish failed, and publishes the next batch', async () => {
    const held = heldBus();
    const b = new PartitionBatcher(held.bus, 1024, 64);
    const a = b.publish(0, Buffer.from('a'), 'id-a');
    await new Promise((r) => setImmediate(r));
    const late = Promise.allSettled([
      b.publish(0, Buffer.from('b'), 'id-b'),
      b.publish(0, Buffer.from('c'), 'id-c'),
    ]);
    const first = a.catch((e: Error) => e.message);
    await held.store(new Error('stream down'));
    expect(await first).toBe('stream down');
    await held.store(new Error('stream down'));
    expect((await late).map((r) => r.status)).toEqual(['rejected', 'rejected']);
    const again = b.publish(0, Buffer.from('d'), 'id-d');
    await held.store();
    await expect(again).resolves.toBeUndefined();
  });

  it('keeps a batch within the byte bound and the part count', async () => {
    const partsPerMessage = async (maxBytes: number, maxParts: number) => {
      const held = heldBus();
      const b = new PartitionBatcher(held.bus, maxBytes, maxParts);
      const all = [b.publish(0, Buffer.alloc(1), 'first')];
      await new Promise((r) => setImmediate(r));
      for (let i = 0; i < 8; i++) all.push(b.publish(0, Buffer.alloc(10, i), `p${i}`));
      while (held.inFlight() > 0) await held.store();
      await Promise.all(all);
      expect(held.published.every((p) => p.data.length <= maxBytes)).toBe(true);
      return held.published.slice(1).map((p) => ingestMessagesOf(p.data).length);
    };
    expect(await partsPerMessage(40, 64)).toEqual([2, 2, 2, 2]);
    expect(await partsPerMessage(1024, 3)).toEqual([3, 3, 2]);
  });
});

describe('WriteHandler with batching', () => {
  const quotas = {
    ...DEFAULT_QUOTA,
    ingestionRateSamplesPerSecond: 1e9,
    ingestionBurstSamples: 1e9,
  };
  const tenants = {
    admit: (tenantId: string) =>
      Promise.resolve({
        tenantId,
        status: 'active',
        quota: quotas,
        externalLabels: [],
        injection: tenantLabelInjection(tenantId, []),
      }),
  } as unknown as TenantLimitsCache;
  const active = { activeSeries: () => 0 } as unknown as ActiveSeriesTracker;
  const observer = {
    accepted: jest.fn(),
    rejected: jest.fn(),
    discarded: jest.fn(),
    published: jest.fn(),
  };
  const limits = {
    partitions: 2,
    maxLabelNameLength: 1024,
    maxLabelValueLength: 2048,
    maxSeriesPerRequest: 10_000,
    maxMessageBytes: 512 * 1024,
    headRetentionSeconds: 86_400,
    batchWrites: 64,
  };
  const write = (tenantId: string, labelName: string) => ({
    tenantId,
    contentType: null,
    contentEncoding: null,
    protocolVersion: null,
    body: encodeWriteRequestV1({
      metadata: [],
      series: Array.from({ length: 20 }, (_, i) => ({
        labels: labelsFrom({ __name__: 'm', [labelName]: String(i) }),
        timestamps: new Float64Array([T]),
        values: new Float64Array([i]),
        exemplars: [],
      })),
    }).toString('base64'),
  });

  it('refuses one tenant’s bad write on its own and stores the others’ together, answering them only once stored', async () => {
    const held = heldBus();
    const h = new WriteHandler(held.bus, tenants, new TokenBuckets(), active, limits, observer);
    // Something in flight on both partitions, so the next writes queue behind it.
    const earlier = h.write(write('first', 'i'));
    while (held.inFlight() < 2) await new Promise((r) => setImmediate(r));
    let answered = 0;
    const good = ['acme', 'beta'].map((t) =>
      h.write(write(t, 'i')).then((r) => {
        answered++;
        return r;
      }),
    );
    // A label name over the limit: refused with 400 before it could join a batch.
    const bad = h.write(write('mallory', 'x'.repeat(2000))).catch((e: unknown) => e);
    expect(await bad).toMatchObject({ code: 'bad_request' });
    await held.store();
    await earlier;
    expect(answered).toBe(0);
    expect(held.inFlight()).toBe(2);
    await held.store();
    expect(await Promise.all(good)).toEqual([
      { samples: 20, histograms: 0, exemplars: 0 },
      { samples: 20, histograms: 0, exemplars: 0 },
    ]);
    const batched = held.published.slice(2);
    expect(batched).toHaveLength(2);
    const parts = batched.flatMap((p) => ingestMessagesOf(p.data).map(decodeIngestMessage));
    // Both tenants in each partition's one message, mallory nowhere, every sample once.
    expect(new Set(parts.map((m) => m.tenant))).toEqual(new Set(['acme', 'beta']));
    expect(parts.reduce((n, m) => n + m.series.length, 0)).toBe(40);
    for (const m of parts)
      expect(
        m.series.every((s) => s.labels.some((l) => l.name === 'tenant_id' && l.value === m.tenant)),
      ).toBe(true);
  });
});
