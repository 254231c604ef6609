import { wireBytes } from '@strata/bus';
import { StoreRequest, type WireSeries } from '@strata/contracts';
import { Head, decodeChunkFrames, labelsFrom } from '@strata/tsdb';
import { TenantExemplars } from '../head/tenant-exemplars';
import { TenantHead } from '../head/tenant-head';
import { answerStoreRequest } from './store-api.handler';

describe('Store API over tenant heads', () => {
  const heads = new Map([
    ['a', new TenantHead('a', new Head())],
    ['b', new TenantHead('b', new Head(), new Map([['out_of_order_sample', 3]]))],
  ]);
  for (let i = 0; i < 5; i++) {
    for (let t = 1; t <= 10; t++) {
      heads
        .get('a')
        ?.head.append(labelsFrom({ __name__: 'up', i: String(i), tenant_id: 'a' }), t * 1000, t);
      heads
        .get('b')
        ?.head.append(labelsFrom({ __name__: 'up', i: String(i), tenant_id: 'b' }), t * 1000, -t);
    }
  }
  const state = { tenantState: (t: string) => heads.get(t) };
  const ask = (r: Record<string, unknown>, tenantId = 'a') =>
    answerStoreRequest(state, StoreRequest.parse({ tenantId, start: 0, end: 1e9, ...r }));

  it('answers only for the request tenant, whatever the matchers say', () => {
    expect(ask({ type: 'LabelValues', name: 'tenant_id' })).toEqual({ values: ['a'] });
    expect(
      ask({ type: 'Series', matchers: [{ type: '=', name: 'tenant_id', value: 'b' }] }),
    ).toEqual({ series: [] });
    expect((ask({ type: 'Series' }) as { series: string[][] }).series).toHaveLength(5);
    // A tenant that never wrote to the partition gets empty answers, not an error.
    expect(ask({ type: 'Select' }, 'c')).toEqual({ series: [], nextCursor: null });
    expect(ask({ type: 'LabelNames' }, 'c')).toEqual({ values: [] });
  });

  it("reports the tenant's own series and discarded samples for user_stats", () => {
    const stats = (tenantId: string) =>
      answerStoreRequest(state, StoreRequest.parse({ type: 'UserStats', tenantId }));
    heads.get('b')?.rate.add(150);
    heads.get('b')?.rate.tick(15);
    expect(stats('b')).toEqual({
      numSeries: 5,
      ingestionRate: 10,
      discardedSamples: { out_of_order_sample: 3 },
    });
    expect(stats('a')).toEqual({
      numSeries: 5,
      ingestionRate: 0,
      discardedSamples: {},
    });
    expect(stats('c')).toEqual({
      numSeries: 0,
      ingestionRate: 0,
      discardedSamples: {},
    });
  });

  it('pages Select by samples and resumes after the cursor', () => {
    const seen: string[][] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = ask({ type: 'Select', cursor, maxSamples: 15, start: 3000, end: 7000 }) as {
        series: Array<{ labels: string[]; t: string; v: string }>;
        nextCursor: string | null;
      };
      for (const s of page.series) {
        const t = new Float64Array(new Uint8Array(Buffer.from(s.t, 'base64')).buffer);
        expect([...t]).toEqual([3000, 4000, 5000, 6000, 7000]);
        seen.push(s.labels);
      }
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null);
    expect(seen.map((l) => l[3])).toEqual(['0', '1', '2', '3', '4']);
    expect(pages).toBe(2);
  });

  it('sends XOR chunks as the head holds them when asked, and arrays for series with out-of-order samples', () => {
    const head = new Head({ outOfOrderWindow: 600_000 });
    const ordered = labelsFrom({ __name__: 'x', s: 'ordered', tenant_id: 'a' });
    const late = labelsFrom({ __name__: 'x', s: 'late', tenant_id: 'a' });
    // 300 samples cut into several chunks, the last one still open.
    for (let t = 1; t <= 300; t++) head.append(ordered, t * 1000, t === 150 ? NaN : t / 2);
    for (const t of [1, 2, 4]) head.append(late, t * 1000, t);
    head.append(late, 3000, 3);
    const own = { tenantState: () => new TenantHead('a', head) };
    const select = (encoding: string | undefined) =>
      answerStoreRequest(
        own,
        StoreRequest.parse({ type: 'Select', tenantId: 'a', start: 2000, end: 250_000, encoding }),
      ) as { series: WireSeries[] };
    const floats = (b64: string) =>
      Array.from(new Float64Array(new Uint8Array(Buffer.from(b64, 'base64')).buffer));
    const plain = select(undefined).series;
    expect(plain.every((s) => s.x === undefined)).toBe(true);
    const [lateXor, orderedXor] = select('xor').series;
    expect(lateXor.x).toBeUndefined();
    expect(floats(lateXor.t)).toEqual([2000, 3000, 4000]);
    expect(orderedXor.t).toBe('');
    const frames = wireBytes(orderedXor.x ?? '');
    // Over NATS the reply is JSON: the same bytes arrive as base64 text.
    const sent = JSON.parse(JSON.stringify(orderedXor)) as WireSeries;
    expect(typeof sent.x).toBe('string');
    expect(Buffer.from(wireBytes(sent.x ?? '')).equals(Buffer.from(frames))).toBe(true);
    const decoded = decodeChunkFrames(frames, 2000, 250_000);
    expect(Array.from(decoded.timestamps)).toEqual(floats(plain[1].t));
    expect(Object.is(decoded.values[148], NaN)).toBe(true);
    expect(Array.from(decoded.values)).toEqual(floats(plain[1].v));
  });

  it("answers TsdbStatus from the request tenant's series only, the tenant label never counted", () => {
    const own = (tenantId: string) =>
      answerStoreRequest(state, StoreRequest.parse({ type: 'TsdbStatus', tenantId }));
    expect(own('a')).toEqual({
      numSeries: 5,
      chunkCount: 5,
      minTime: 1000,
      maxTime: 10_000,
      labels: [
        { name: '__name__', values: ['up'], counts: [5] },
        { name: 'i', values: ['0', '1', '2', '3', '4'], counts: [1, 1, 1, 1, 1] },
      ],
    });
    expect(own('nobody')).toEqual({
      numSeries: 0,
      chunkCount: 0,
      minTime: null,
      maxTime: null,
      labels: [],
    });
  });

  it('answers Cardinality for the names asked, within the matchers, with the tenant total beside', () => {
    const cardinality = (r: Record<string, unknown>) =>
      answerStoreRequest(state, StoreRequest.parse({ type: 'Cardinality', tenantId: 'a', ...r }));
    expect(
      cardinality({
        matchers: [{ type: '=~', name: 'i', value: '[01]' }],
        labelNames: ['i', 'tenant_id', 'nope'],
      }),
    ).toEqual({
      seriesCountTotal: 5,
      labels: [
        { name: 'i', values: ['0', '1'], counts: [1, 1] },
        { name: 'nope', values: [], counts: [] },
      ],
    });
    // A tenant matcher of the caller's own cannot widen the scope to another tenant.
    expect(cardinality({ matchers: [{ type: '=', name: 'tenant_id', value: 'b' }] })).toEqual({
      seriesCountTotal: 5,
      labels: [],
    });
  });

  it('refuses an invalid regex as bad_request', () => {
    expect(() =>
      ask({ type: 'Series', matchers: [{ type: '=~', name: 'i', value: '(' }] }),
    ).toThrow(expect.objectContaining({ code: 'bad_request' }));
  });

  it("answers exemplars of the request tenant's series only, values as text so NaN survives JSON", () => {
    const exemplars = new TenantExemplars(10);
    const trace = { labels: [{ name: 'trace_id', value: 'abc' }], value: NaN, timestamp: 5000 };
    exemplars.add('a', ['__name__', 'up', 'i', '0', 'tenant_id', 'a'], trace);
    exemplars.add('b', ['__name__', 'up', 'i', '0', 'tenant_id', 'b'], { ...trace, value: 1 });
    const answer = (tenantId: string, name: string) =>
      answerStoreRequest(
        { ...state, exemplars },
        StoreRequest.parse({
          type: 'Exemplars',
          tenantId,
          start: 0,
          end: 1e9,
          matcherSets: [[{ type: '=', name: '__name__', value: name }]],
        }),
      );
    expect(JSON.parse(JSON.stringify(answer('a', 'up')))).toEqual({
      series: [
        {
          seriesLabels: ['__name__', 'up', 'i', '0', 'tenant_id', 'a'],
          exemplars: [{ labels: ['trace_id', 'abc'], value: 'NaN', timestamp: 5000 }],
        },
      ],
    });
    expect(answer('a', 'down')).toEqual({ series: [] });
    expect(answer('c', 'up')).toEqual({ series: [] });
  });
});
