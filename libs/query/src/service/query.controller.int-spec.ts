import { connectBus, serveOnBus, type BusMicroservice, type NatsBus } from '@strata/bus';
import { QuerySubjects, StrataError, Subjects, type PromApiReply } from '@strata/contracts';
import { createMetricsRegistry, StrataMetrics } from '@strata/service-kit';
import { testNatsLogin, testServices } from '@strata/testing';
import { MemorySeriesSource } from '../storage/memory-series-source';
import { CardinalityExecutor } from './cardinality-executor';
import { QueryController } from './query.controller';
import { QueryExecutor } from './query-executor';

describe('QueryController over nats-server', () => {
  let bus: NatsBus;
  let served: BusMicroservice;
  const metrics = new StrataMetrics(createMetricsRegistry());

  beforeAll(async () => {
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('monolith'),
      name: 'query-controller-spec',
    });
    const source = new MemorySeriesSource();
    source.append('t', { __name__: 'up', job: 'a' }, 1_000, 1);
    served = await serveOnBus(
      bus,
      {
        controllers: [QueryController],
        providers: [
          { provide: QueryExecutor, useValue: new QueryExecutor(source) },
          { provide: CardinalityExecutor, useValue: new CardinalityExecutor(source) },
          { provide: StrataMetrics, useValue: metrics },
        ],
      },
      { logger: false },
    );
    await bus.connection.flush();
  });
  afterAll(async () => {
    await served.app.close();
    await bus.drain();
  });

  it('answers every query subject in the query queue group and counts outcomes', async () => {
    for (const subject of Object.values(QuerySubjects)) {
      // An empty payload is a bad request for every endpoint: answered by the endpoint, not refused by the bus.
      const reply = await bus.request<object, PromApiReply<unknown>>(subject, {});
      expect({ subject, status: reply.status }).toEqual({ subject, status: 'error' });
    }
    const ok = await bus.request<object, PromApiReply<unknown>>(QuerySubjects.instant, {
      tenantId: 't',
      query: 'up',
      timeMs: 1_000,
    });
    expect(ok).toMatchObject({
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: { __name__: 'up', job: 'a' }, value: [1, '1'] }],
      },
    });
    const bad = await bus.request<object, PromApiReply<unknown>>(QuerySubjects.instant, {
      tenantId: 't',
      query: 'sum(',
      timeMs: 0,
    });
    expect(bad).toMatchObject({ status: 'error', errorType: 'bad_data' });
    const text = (await metrics.render()).body;
    expect(text).toContain('strata_query_requests_total{endpoint="instant",status="success"} 1');
    expect(text).toContain('strata_query_requests_total{endpoint="instant",status="bad_data"} 2');
    expect(text).toContain('strata_query_requests_total{endpoint="userStats",status="bad_data"} 1');
    // Not a query subject: nobody here answers it.
    await expect(
      bus.request(Subjects.routerWrite, {}, { timeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(StrataError);
  });
});
