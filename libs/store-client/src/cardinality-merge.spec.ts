import { type Bus } from '@strata/bus';
import { type StoreRequest } from '@strata/contracts';
import { mergeCardinality, mergeTsdbStatus } from './cardinality-merge';
import { createStoreClient } from './store-client';

const counts = (o: Record<string, Record<string, number>>) =>
  new Map(Object.entries(o).map(([n, vs]) => [n, new Map(Object.entries(vs))]));

describe('merging cardinality across partitions', () => {
  it('adds series and chunks, spans the times, and unions values before counting them', () => {
    const merged = mergeTsdbStatus([
      {
        numSeries: 3,
        chunkCount: 4,
        minTime: 2000,
        maxTime: 9000,
        labels: [
          { name: '__name__', values: ['up', 'req'], counts: [2, 1] },
          { name: 'pod', values: ['a', 'b', 'c'], counts: [1, 1, 1] },
        ],
      },
      { numSeries: 0, chunkCount: 0, minTime: null, maxTime: null, labels: [] },
      {
        numSeries: 2,
        chunkCount: 5,
        minTime: 1000,
        maxTime: 8000,
        labels: [
          { name: '__name__', values: ['up'], counts: [2] },
          { name: 'pod', values: ['c', 'd'], counts: [1, 1] },
        ],
      },
    ]);
    expect(merged).toEqual({
      numSeries: 5,
      chunkCount: 9,
      minTime: 1000,
      maxTime: 9000,
      labels: counts({ __name__: { up: 4, req: 1 }, pod: { a: 1, b: 1, c: 2, d: 1 } }),
    });
    // Four distinct pods, not the 3 + 2 the partitions saw each.
    expect(merged.labels.get('pod')?.size).toBe(4);
  });

  it('keeps times null when no partition holds a series of the tenant', () => {
    expect(
      mergeTsdbStatus([{ numSeries: 0, chunkCount: 0, minTime: null, maxTime: null, labels: [] }]),
    ).toMatchObject({
      minTime: null,
      maxTime: null,
    });
  });

  it('adds the tenant totals and keeps a requested name no partition has', () => {
    expect(
      mergeCardinality([
        {
          seriesCountTotal: 4,
          labels: [
            { name: 'job', values: ['api'], counts: [2] },
            { name: 'gone', values: [], counts: [] },
          ],
        },
        {
          seriesCountTotal: 6,
          labels: [
            { name: 'job', values: ['api', 'db'], counts: [1, 3] },
            { name: 'gone', values: [], counts: [] },
          ],
        },
      ]),
    ).toEqual({ seriesCountTotal: 10, labels: counts({ job: { api: 3, db: 3 }, gone: {} }) });
  });

  it('asks every partition, scoped to the tenant, and fails when one cannot answer', async () => {
    const sent: Array<{ subject: string; request: StoreRequest }> = [];
    let failing = -1;
    const bus = {
      request: (subject: string, request: StoreRequest) => {
        sent.push({ subject, request });
        const p = Number(subject.split('.').pop());
        if (p === failing) return Promise.reject(new Error('no owner'));
        return Promise.resolve({
          seriesCountTotal: p + 1,
          labels: [{ name: 'job', values: [`j${p}`], counts: [1] }],
        });
      },
    } as unknown as Bus;
    const client = createStoreClient(bus, { partitions: 3 });
    const { value } = await client.cardinality(
      't',
      [{ type: '=', name: 'job', value: 'x' }],
      ['job'],
    );
    expect(value).toEqual({
      seriesCountTotal: 6,
      labels: counts({ job: { j0: 1, j1: 1, j2: 1 } }),
    });
    expect(sent.map((s) => s.request)).toEqual(
      [0, 1, 2].map(() => ({
        type: 'Cardinality',
        tenantId: 't',
        matchers: [
          { type: '=', name: 'tenant_id', value: 't' },
          { type: '=', name: 'job', value: 'x' },
        ],
        labelNames: ['job'],
      })),
    );
    failing = 1;
    await expect(client.cardinality('t', [])).rejects.toThrow('no owner');
    const partial = createStoreClient(bus, { partitions: 3, partialResponse: true });
    expect((await partial.cardinality('t', [])).warnings).toEqual(['partition 1: no owner']);
  });
});
