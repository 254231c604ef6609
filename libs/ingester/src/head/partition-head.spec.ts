import { type Exemplar, IngestMessageView, encodeIngestMessage } from '@strata/remote-write';
import { Head, Matcher, labelsFrom } from '@strata/tsdb';
import { PartitionHead } from './partition-head';

// Messages as the ingester reads them off the stream: label blocks and the router's hash.
const message = (
  t: number[],
  v: number[],
  name = 'm',
  exemplars: Exemplar[] = [],
  tenant = 't',
  outOfOrderWindowMs = 0,
) =>
  IngestMessageView.read(
    encodeIngestMessage(
      tenant,
      [
        {
          labels: labelsFrom({ __name__: name, tenant_id: tenant }),
          timestamps: new Float64Array(t),
          values: new Float64Array(v),
          exemplars,
        },
      ],
      [],
      { outOfOrderWindowMs },
    ),
  );

const trace = (timestamp: number, value = 1): Exemplar => ({
  labels: [{ name: 'trace_id', value: `trace-${timestamp}` }],
  value,
  timestamp,
});

describe('PartitionHead', () => {
  it('applies in order, skips sequences already applied and counts refused samples by reason', () => {
    const p = new PartitionHead(0);
    expect(p.apply(5, message([1000, 2000], [1, 2]))).toEqual({
      appended: 2,
      rejected: null,
      exemplarsAppended: 0,
      exemplarsOutOfOrder: 0,
    });
    expect(p.apply(5, message([3000], [3])).appended).toBe(0);
    const stats = p.apply(7, message([1500, 2000, 4000], [9, 2, 4]));
    expect(stats.appended).toBe(2); // the repeat of (2000, 2) is a no-op append
    expect(stats.rejected?.get('t')?.get('out_of_order_sample')).toBe(1);
    expect(p.lastSeq).toBe(7);
    expect(
      p
        .tenantHead('t')
        ?.seriesByLabels(labelsFrom({ __name__: 'm', tenant_id: 't' }))
        ?.numSamples(),
    ).toBe(3);
  });

  it('keeps series apart whose hashes collide, and finds series again after truncation removed others', () => {
    const p = new PartitionHead(0);
    p.apply(1, message([1000], [1], 'a'));
    p.apply(2, message([1000], [2], 'b'));
    // Force both label sets onto one key: the head must still tell them apart by their labels.
    const known = (p.tenantState('t')?.known as unknown as { byKey: Map<number, unknown> }).byKey;
    const [first] = [...known.values()];
    for (const k of known.keys()) known.set(k, first);
    p.apply(3, message([2000], [3], 'a'));
    p.apply(4, message([2000], [4], 'b'));
    const samples = (name: string) =>
      p
        .tenantHead('t')
        ?.seriesByLabels(labelsFrom({ __name__: name, tenant_id: 't' }))
        ?.numSamples();
    expect([samples('a'), samples('b')]).toEqual([2, 2]);
    expect(p.tenantHead('t')?.numSeries()).toBe(2);

    p.apply(5, message([3_000_000], [5], 'c'));
    expect(p.truncate(2_500_000).removedSeries).toBe(2);
    p.apply(6, message([3_000_000, 3_015_000], [5, 6], 'c'));
    expect(samples('c')).toBe(2);
    expect(p.tenantHead('t')?.numSeries()).toBe(1);
  });

  it('stores exemplars per tenant, dropping repeats silently and counting out-of-order ones', () => {
    const p = new PartitionHead(0, { exemplarsPerTenant: 2 });
    expect(p.apply(1, message([1000], [1], 'm', [trace(1000), trace(900)]))).toMatchObject({
      exemplarsAppended: 1,
      exemplarsOutOfOrder: 1,
    });
    // A retried write resends its exemplars: the repeat of the newest is ignored.
    expect(p.apply(2, message([2000], [2], 'm', [trace(1000), trace(2000)]))).toMatchObject({
      exemplarsAppended: 1,
      exemplarsOutOfOrder: 0,
    });
    p.apply(3, message([1000], [1], 'm', [trace(1000)], 'other'));
    p.apply(4, message([3000], [3], 'm', [trace(3000, NaN)]));
    const held = (tenant: string) =>
      p.exemplars
        .select(tenant, 0, 10_000, [[new Matcher('=', '__name__', 'm')]])
        .flatMap((s) => s.exemplars.map((e) => e.timestamp));
    // Two per tenant: the third exemplar of tenant t overwrote its oldest, not the other tenant's.
    expect(held('t')).toEqual([2000, 3000]);
    expect(held('other')).toEqual([1000]);
    const restored = new PartitionHead(0, {
      exemplarsPerTenant: 2,
      exemplars: p.exemplars.entries(),
    });
    expect(restored.exemplars.select('t', 0, 10_000, [[]])).toEqual(
      p.exemplars.select('t', 0, 10_000, [[]]),
    );
  });

  it('attaches exemplars sent without samples to a series it holds, and never creates one for them', () => {
    const p = new PartitionHead(0);
    p.apply(1, message([1000], [1], 'm'));
    expect(p.apply(2, message([], [], 'm', [trace(1000)])).exemplarsAppended).toBe(1);
    expect(p.apply(3, message([], [], 'never_sampled', [trace(1000)])).exemplarsAppended).toBe(0);
    expect(p.tenantHead('t')?.numSeries()).toBe(1);
    expect(p.exemplars.select('t', 0, 10_000, [[]]).map((s) => s.exemplars.length)).toEqual([1]);
  });

  describe('tenant isolation', () => {
    const NOW = 1_800_000_000_000;
    const HOUR = 3_600_000;
    const samplesOf = (p: PartitionHead, tenant: string, name = 'm') => {
      let n = 0;
      for (const s of p
        .tenantHead(tenant)
        ?.querier(-Infinity, Infinity)
        .select([new Matcher('=', '__name__', name)]) ?? []) {
        const it = s.iterator();
        while (it.next()) n++;
      }
      return n;
    };

    it("keeps one head per tenant: a far-future sample of one tenant moves no other tenant's window", () => {
      const p = new PartitionHead(0);
      p.apply(1, message([NOW], [1], 'm', [], 'b'));
      p.apply(2, message([7_258_118_400_000], [1], 'm', [], 'a')); // 2200-01-01
      // Tenant b goes on writing as before.
      expect(
        p.apply(3, message([NOW + 15_000, NOW + 30_000], [2, 3], 'm', [], 'b')).rejected,
      ).toBeNull();
      // Tenant c's sender lags two hours behind a's busiest one: its own head takes it all.
      p.apply(4, message([NOW + 5 * HOUR], [1], 'm2', [], 'a'));
      expect(p.apply(5, message([NOW - 2 * HOUR], [0], 'lagging', [], 'c')).rejected).toBeNull();
      expect(
        p.apply(6, message([NOW - 2 * HOUR + 15_000], [1], 'lagging', [], 'c')).rejected,
      ).toBeNull();
      expect([samplesOf(p, 'b'), samplesOf(p, 'c', 'lagging')]).toEqual([3, 2]);
      // Tenant a only hurts itself: its own head now refuses the present as out of bounds.
      expect(
        p
          .apply(7, message([NOW + 45_000], [4], 'm3', [], 'a'))
          .rejected?.get('a')
          ?.get('out_of_bounds'),
      ).toBe(1);
      expect([...p.tenants()].sort()).toEqual(['a', 'b', 'c']);
      expect(p.tenantHead('nobody')).toBeUndefined();
      expect(Object.fromEntries(p.tenantState('a')?.discarded ?? [])).toEqual({ out_of_bounds: 2 });
      expect(Object.fromEntries(p.tenantState('b')?.discarded ?? [])).toEqual({});
      expect(Object.fromEntries(p.tenantState('c')?.discarded ?? [])).toEqual({});
    });

    it("applies each tenant's out-of-order window as its messages carry it, the same on every replay", () => {
      const stream = [
        message([NOW], [1], 'm', [], 'lenient', 10 * 60_000),
        message([NOW - 5 * 60_000], [2], 'm', [], 'lenient', 10 * 60_000),
        message([NOW - 20 * 60_000], [3], 'm', [], 'lenient', 10 * 60_000),
        message([NOW], [1], 'm', [], 'strict'),
        message([NOW - 5 * 60_000], [2], 'm', [], 'strict'),
        // The quota changed: from here on the window is 0 for lenient too.
        message([NOW - 6 * 60_000], [4], 'm', [], 'lenient'),
      ];
      const play = () => {
        const p = new PartitionHead(0);
        stream.forEach((m, i) => p.apply(i + 1, m));
        return p;
      };
      const p = play();
      expect(Object.fromEntries(p.tenantState('lenient')?.discarded ?? [])).toEqual({
        too_old_sample: 1,
        out_of_order_sample: 1,
      });
      expect(Object.fromEntries(p.tenantState('strict')?.discarded ?? [])).toEqual({
        out_of_order_sample: 1,
      });
      expect([samplesOf(p, 'lenient'), samplesOf(p, 'strict')]).toEqual([2, 1]);
      const again = play();
      expect([samplesOf(again, 'lenient'), samplesOf(again, 'strict')]).toEqual([2, 1]);
      expect(again.tenantHead('lenient')?.outOfOrderWindow).toBe(0);
    });

    it('truncates and garbage-collects every tenant, and a new tenant head starts at the retention bound', () => {
      const p = new PartitionHead(0);
      p.apply(1, message([NOW - 3 * HOUR, NOW], [1, 2], 'm', [], 'a'));
      p.apply(2, message([NOW - 3 * HOUR], [1], 'old', [], 'b'));
      p.apply(3, message([NOW], [1], 'm', [], 'b'));
      expect(p.truncate(NOW - HOUR)).toMatchObject({ removedSeries: 1 });
      expect([samplesOf(p, 'a'), samplesOf(p, 'b', 'old'), samplesOf(p, 'b')]).toEqual([1, 0, 1]);
      expect(
        p
          .apply(4, message([NOW - 2 * HOUR], [1], 'fresh', [], 'c'))
          .rejected?.get('c')
          ?.get('out_of_bounds'),
      ).toBe(1);
      // Refused samples create no series, as in Prometheus.
      expect(p.tenantHead('c')?.numSeries()).toBe(0);
      expect(Object.fromEntries(p.activeSeriesByTenant())).toMatchObject({ a: 1, b: 1 });
      const held = p.numSeries();
      expect(p.gcInactive(NOW + 1)).toBe(held);
      expect(p.numSeries()).toBe(0);
    });

    it('starts a new tenant head at the retention bound of the heads it was restored with', () => {
      const restoredHead = new Head();
      restoredHead.minValidTime = NOW - HOUR;
      const p = new PartitionHead(0, {
        tenants: [{ tenant: 'a', head: restoredHead }],
        coveredSeq: 3,
      });
      expect(p.apply(3, message([NOW], [1], 'm', [], 'new')).appended).toBe(0); // already applied
      const stats = p.apply(4, message([NOW - 2 * HOUR, NOW], [1, 2], 'm', [], 'new'));
      expect([stats.appended, stats.rejected?.get('new')?.get('out_of_bounds')]).toEqual([1, 1]);
    });
  });
});
