import { type Bus } from '@strata/bus';
import { StrataError, type StoreRequest, type WireSeries } from '@strata/contracts';
import { XorChunk, encodeChunkFrames } from '@strata/tsdb';
import { createStoreClient } from './store-client';

const f64 = (xs: number[]) => Buffer.from(new Float64Array(xs).buffer).toString('base64');
const ws = (labels: string[], t: number[]): WireSeries => ({
  labels,
  t: f64(t),
  v: f64(t.map((x) => x / 1000)),
});

describe('store client', () => {
  const requests: Array<{ subject: string; request: StoreRequest }> = [];
  const answers: Record<string, (r: StoreRequest) => unknown> = {};
  const bus = {
    request: (subject: string, request: StoreRequest) => {
      requests.push({ subject, request });
      const p = subject.split('.').pop() as string;
      try {
        return Promise.resolve(answers[p](request));
      } catch (error) {
        return Promise.reject(error);
      }
    },
  } as unknown as Bus;

  beforeEach(() => {
    requests.length = 0;
    answers['0'] = (r) =>
      r.type === 'Select'
        ? r.cursor === null
          ? { series: [ws(['__name__', 'a', 'tenant_id', 't'], [1000, 2000])], nextCursor: 'c1' }
          : { series: [ws(['__name__', 'c', 'tenant_id', 't'], [1000])], nextCursor: null }
        : { values: ['x', 'a'], series: [['__name__', 'a', 'tenant_id', 't']] };
    answers['1'] = (r) =>
      r.type === 'Select'
        ? {
            series: [
              ws(['__name__', 'a', 'tenant_id', 't'], [2000, 3000]),
              ws(['__name__', 'b', 'tenant_id', 't'], [5]),
            ],
            nextCursor: null,
          }
        : { values: ['a', 'b'], series: [['__name__', 'a', 'tenant_id', 't']] };
  });

  it('scopes every request to the tenant, follows pages, merges identical series and sorts', async () => {
    const client = createStoreClient(bus, { partitions: 2 });
    const { value } = await client.select({
      tenantId: 't',
      matchers: [{ type: '=', name: 'job', value: 'j' }],
      start: 0,
      end: 10_000,
    });
    expect(
      requests.every(
        (r) =>
          r.request.type === 'Select' &&
          r.request.tenantId === 't' &&
          r.request.matchers[0].name === 'tenant_id' &&
          r.request.matchers[0].value === 't',
      ),
    ).toBe(true);
    expect(requests.filter((r) => r.subject.endsWith('.0'))).toHaveLength(2);
    expect(value.map((s) => [s.labels[0].value, [...s.timestamps]])).toEqual([
      ['a', [1000, 2000, 3000]],
      ['b', [5]],
      ['c', [1000]],
    ]);
    expect(
      (await client.labelValues('x', { tenantId: 't', matchers: [], start: 0, end: 1 })).value,
    ).toEqual(['a', 'b', 'x']);
    expect(
      (await client.series({ tenantId: 't', matchers: [], start: 0, end: 1 })).value,
    ).toHaveLength(1);
  });

  it('lists the same series with the same samples when chunks are decoded lazily, into reused arrays', async () => {
    const chunk = (ts: number[]): Uint8Array => {
      const c = new XorChunk();
      for (const t of ts) c.append(t, t / 1000);
      return c.compact();
    };
    const xs = (name: string, chunks: number[][]): WireSeries => ({
      labels: ['__name__', name, 'tenant_id', 't'],
      t: '',
      v: '',
      x: encodeChunkFrames(chunks.map(chunk)).toString('base64'),
    });
    answers['0'] = () => ({
      series: [
        // A chunk starts inside [2500, 6500]: kept encoded until read.
        xs('a', [
          [1000, 2000],
          [3000, 4000, 7000],
        ]),
        // Samples inside, but no chunk starts there.
        xs('b', [[1000, 3000, 5000, 9000]]),
        // The chunk spans the window without a sample in it: not listed.
        xs('c', [[1000, 9000]]),
      ],
      nextCursor: null,
    });
    answers['1'] = () => ({ series: [], nextCursor: null });
    const client = createStoreClient(bus, { partitions: 2 });
    const query = { tenantId: 't', matchers: [], start: 2500, end: 6500 };
    const eager = (await client.select(query)).value;
    const lazy = (await client.select(query, { decodeLazily: true })).value;
    const shown = (xs: typeof eager) =>
      xs.map((s) => [s.labels[0].value, [...s.timestamps], [...s.values]]);
    expect(shown(eager)).toEqual([
      ['a', [3000, 4000], [3, 4]],
      ['b', [3000, 5000], [3, 5]],
    ]);
    expect(shown(lazy)).toEqual(shown(eager));
    // Only the series whose chunks prove a sample in the window stayed encoded.
    expect(lazy.filter((s) => s.decodeInto !== undefined).map((s) => s.labels[0].value)).toEqual([
      'a',
    ]);
    const into = { ts: new Float64Array(0), vs: new Float64Array(0) };
    const n = lazy[0].decodeInto?.(into) ?? 0;
    expect([[...into.ts.subarray(0, n)], [...into.vs.subarray(0, n)]]).toEqual([
      [3000, 4000],
      [3, 4],
    ]);
  });

  it('merges metadata of all partitions, listing a family held by several once', async () => {
    const up = { type: 'gauge', help: 'h', unit: '' };
    answers['0'] = () => ({ metadata: { up: [up] } });
    answers['1'] = () => ({
      metadata: { a_total: [{ type: 'counter', help: 'c', unit: '' }], up: [up] },
    });
    const { value } = await createStoreClient(bus, { partitions: 2 }).metadata('t');
    expect(Object.keys(value)).toEqual(['a_total', 'up']);
    expect(value.up).toEqual([up]);
    expect(requests[0].request).toEqual({ type: 'Metadata', tenantId: 't' });
  });

  it('merges exemplars of all partitions by series, in time order, values parsed back', async () => {
    const e = (timestamp: number, value: string) => ({
      labels: ['trace_id', 'x'],
      value,
      timestamp,
    });
    answers['0'] = () => ({
      series: [
        { seriesLabels: ['__name__', 'b', 'tenant_id', 't'], exemplars: [e(3, 'Infinity')] },
      ],
    });
    answers['1'] = () => ({
      series: [
        { seriesLabels: ['__name__', 'a', 'tenant_id', 't'], exemplars: [e(1, 'NaN')] },
        { seriesLabels: ['__name__', 'b', 'tenant_id', 't'], exemplars: [e(2, '-0.5')] },
      ],
    });
    const sets = [[{ type: '=' as const, name: 'job', value: 'j' }]];
    const { value } = await createStoreClient(bus, { partitions: 2 }).exemplars('t', sets, 0, 9);
    expect(requests[0].request).toEqual({
      type: 'Exemplars',
      tenantId: 't',
      matcherSets: sets,
      start: 0,
      end: 9,
    });
    expect(value.map((s) => [s.seriesLabels[0].value, s.exemplars.map((x) => x.value)])).toEqual([
      ['a', [NaN]],
      ['b', [-0.5, Infinity]],
    ]);
  });

  it('fails when a partition is unavailable, or names it in warnings with partial responses', async () => {
    answers['1'] = () => {
      throw new StrataError('unavailable', 'replaying');
    };
    const q = { tenantId: 't', matchers: [], start: 0, end: 1 };
    await expect(createStoreClient(bus, { partitions: 2 }).labelNames(q)).rejects.toMatchObject({
      code: 'unavailable',
    });
    const partial = await createStoreClient(bus, {
      partitions: 2,
      partialResponse: true,
    }).labelNames(q);
    expect(partial).toEqual({ value: ['a', 'x'], warnings: ['partition 1: replaying'] });
  });

  it("sums the tenant's user stats over the partitions, reason by reason", async () => {
    answers['0'] = () => ({
      numSeries: 3,
      ingestionRate: 1.5,
      discardedSamples: { out_of_order_sample: 2 },
    });
    answers['1'] = () => ({
      numSeries: 4,
      ingestionRate: 2,
      discardedSamples: { out_of_order_sample: 1, out_of_bounds: 5 },
    });
    const client = createStoreClient(bus, { partitions: 2 });
    expect((await client.userStats('t')).value).toEqual({
      numSeries: 7,
      ingestionRate: 3.5,
      discardedSamples: { out_of_order_sample: 3, out_of_bounds: 5 },
    });
    expect(requests.map((r) => r.request)).toEqual([
      { type: 'UserStats', tenantId: 't' },
      { type: 'UserStats', tenantId: 't' },
    ]);
  });
});

describe('store client with store gateways', () => {
  const NOW = 1_700_000_000_000;
  const H = 3_600_000;
  const subjects: string[] = [];
  let failStores = false;
  const bus = {
    request: (subject: string, request: StoreRequest) => {
      subjects.push(subject);
      if (failStores && subject.includes('.v1.store.'))
        return Promise.reject(new StrataError('unavailable', 'no responders'));
      if (request.type !== 'Select') return Promise.resolve({ values: [], series: [] });
      if (subject.includes('.v1.store.')) {
        // The newest block and the head share 2h..3h: those samples must count once.
        return Promise.resolve({
          series: [
            ws(['__name__', 'm', 'tenant_id', 't'], [NOW - 5 * H, NOW - 3 * H, NOW - 2 * H]),
          ],
          nextCursor: null,
        });
      }
      return Promise.resolve({
        series: subject.endsWith('.0')
          ? [ws(['__name__', 'm', 'tenant_id', 't'], [NOW - 3 * H, NOW - 2 * H, NOW - H])]
          : [],
        nextCursor: null,
      });
    },
  } as unknown as Bus;
  const client = (partialResponse = false) =>
    createStoreClient(bus, {
      partitions: 2,
      partialResponse,
      now: () => NOW,
      stores: { shards: 4, timeBoundaries: [48 * H], queryStoreAfterMs: 12 * H },
    });
  const q = (start: number, end = NOW) => ({ tenantId: 't', matchers: [], start, end });

  beforeEach(() => {
    subjects.length = 0;
    failStores = false;
  });

  it('asks the stores only for windows older than query-store-after, and only the tenant’s shard in the time partitions met', async () => {
    await client().select(q(NOW - 6 * H));
    expect(subjects.some((s) => s.includes('.v1.store.'))).toBe(false);

    subjects.length = 0;
    await client().select(q(NOW - 13 * H));
    const stores = subjects.filter((s) => s.includes('.v1.store.'));
    // One shard of four, in the newest of the two time partitions only.
    expect(stores).toHaveLength(1);

    subjects.length = 0;
    await client().select(q(NOW - 72 * H));
    expect(subjects.filter((s) => s.includes('.v1.store.'))).toHaveLength(2);
    expect(subjects.filter((s) => s.includes('.v1.ingester.'))).toHaveLength(2);
  });

  it('merges a store series with the same ingester series by timestamp, each sample once', async () => {
    const { value } = await client().select(q(NOW - 13 * H));
    expect(value).toHaveLength(1);
    expect([...value[0].timestamps].map((t) => (NOW - t) / H)).toEqual([5, 3, 2, 1]);
  });

  it('drops replica labels and deduplicates HA replicas when replica labels are configured', async () => {
    const replicated = {
      request: (subject: string, request: StoreRequest) =>
        Promise.resolve(
          request.type === 'Select'
            ? {
                series: [
                  ws(
                    [
                      '__name__',
                      'm',
                      'replica',
                      subject.endsWith('.0') ? 'a' : 'b',
                      'tenant_id',
                      't',
                    ],
                    [1000, 16_000],
                  ),
                ],
                nextCursor: null,
              }
            : {
                series: [
                  [
                    '__name__',
                    'm',
                    'replica',
                    subject.endsWith('.0') ? 'a' : 'b',
                    'tenant_id',
                    't',
                  ],
                ],
              },
        ),
    } as unknown as Bus;
    const c = createStoreClient(replicated, { partitions: 2, replicaLabels: ['replica'] });
    const { value } = await c.select(q(NOW - H));
    expect(value.map((s) => s.labels.map((l) => l.name))).toEqual([['__name__', 'tenant_id']]);
    expect([...value[0].timestamps]).toEqual([1000, 16_000]);
    expect((await c.series(q(NOW - H))).value).toHaveLength(1);
    expect(
      (await createStoreClient(replicated, { partitions: 2 }).select(q(NOW - H))).value,
    ).toHaveLength(2);
  });

  it('fails when a store does not answer, or with partial response answers with a warning naming it', async () => {
    failStores = true;
    await expect(client().select(q(NOW - 13 * H))).rejects.toThrow(
      /store shard \d \(time partition 1\): no responders/,
    );
    const r = await client(true).select(q(NOW - 13 * H));
    expect(r.warnings).toEqual([
      expect.stringMatching(/^store shard \d \(time partition 1\): no responders$/),
    ]);
    expect([...r.value[0].timestamps].map((t) => (NOW - t) / H)).toEqual([3, 2, 1]);
  });

  it("lets each call choose partial response over the client's default, either way", async () => {
    failStores = true;
    const perCall = await client(false).select(q(NOW - 13 * H), { partialResponse: true });
    expect(perCall.warnings).toEqual([
      expect.stringMatching(/^store shard \d \(time partition 1\): no responders$/),
    ]);
    expect(perCall.value).toHaveLength(1);
    const names = await client(false).labelNames(q(NOW - 13 * H), { partialResponse: true });
    expect(names.warnings).toHaveLength(1);
    await expect(client(true).series(q(NOW - 13 * H), { partialResponse: false })).rejects.toThrow(
      /store shard \d \(time partition 1\): no responders/,
    );
    await expect(
      client(true).labelValues('job', q(NOW - 13 * H), { partialResponse: false }),
    ).rejects.toThrow(/no responders/);
  });
});
