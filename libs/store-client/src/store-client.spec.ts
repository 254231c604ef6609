import { type Bus } from '@strata/bus';
import { StrataError, type StoreRequest, type WireSeries } from '@strata/contracts';
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
