import { type Bus, type RequestHandler } from '@strata/bus';
import { QUERY_QUEUE_GROUP, QuerySubjects } from '@strata/contracts';
import { createMetricsRegistry, StrataMetrics } from '@strata/service-kit';
import { MemorySeriesSource } from '../storage/memory-series-source';
import { CardinalityExecutor } from './cardinality-executor';
import { QueryExecutor } from './query-executor';
import { QueryHandlers } from './query.handlers';

describe('QueryHandlers', () => {
  it('serves every query subject in the query queue group and counts outcomes', async () => {
    const served = new Map<string, RequestHandler<unknown, unknown>>();
    const bus = {
      serve: (subject: string, group: string | null, handler: RequestHandler<unknown, unknown>) => {
        expect(group).toBe(QUERY_QUEUE_GROUP);
        served.set(subject, handler);
        return { stop: () => Promise.resolve() };
      },
    } as unknown as Bus;
    const metrics = new StrataMetrics(createMetricsRegistry());
    const source = new MemorySeriesSource();
    const handlers = new QueryHandlers(bus, new QueryExecutor(source), new CardinalityExecutor(source), metrics);
    handlers.onApplicationBootstrap();
    expect([...served.keys()].sort()).toEqual(Object.values(QuerySubjects).sort());
    const instant = served.get(QuerySubjects.instant)!;
    await instant({ tenantId: 't', query: '1', timeMs: 0 }, { subject: QuerySubjects.instant, headers: {} });
    await instant({ tenantId: 't', query: 'sum(', timeMs: 0 }, { subject: QuerySubjects.instant, headers: {} });
    const text = (await metrics.render()).body;
    expect(text).toContain('strata_query_requests_total{endpoint="instant",status="success"} 1');
    expect(text).toContain('strata_query_requests_total{endpoint="instant",status="bad_data"} 1');
    await handlers.onModuleDestroy();
  });
});
