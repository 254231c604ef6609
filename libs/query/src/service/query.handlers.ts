import { Inject, Injectable, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BUS, type Bus, type Stoppable } from '@strata/bus';
import { QUERY_QUEUE_GROUP, QuerySubjects, type PromApiReply, type PromApiSerializedReply } from '@strata/contracts';
import { StrataMetrics } from '@strata/service-kit';
import { CardinalityExecutor } from './cardinality-executor';
import { QueryExecutor } from './query-executor';

type Endpoint = keyof typeof QuerySubjects;

/** Serves every query subject in the `query` queue group, so each request reaches one instance. */
@Injectable()
export class QueryHandlers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly serving: Stoppable[] = [];

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly executor: QueryExecutor,
    private readonly cardinality: CardinalityExecutor,
    @Optional() private readonly metrics?: StrataMetrics,
  ) {}

  onApplicationBootstrap(): void {
    const routes: Record<Endpoint, (payload: unknown) => Promise<PromApiReply<unknown> | PromApiSerializedReply>> = {
      instant: (p) => this.executor.instant(p),
      // Range results can be large: they travel pre-serialised and the gateway writes them as-is.
      range: (p) => this.executor.rangeSerialized(p),
      series: (p) => this.executor.series(p),
      labelNames: (p) => this.executor.labelNames(p),
      labelValues: (p) => this.executor.labelValues(p),
      metadata: (p) => this.executor.metadata(p),
      exemplars: (p) => this.executor.exemplars(p),
      tsdbStatus: (p) => this.cardinality.tsdbStatus(p),
      cardinalityLabelNames: (p) => this.cardinality.labelNames(p),
      cardinalityLabelValues: (p) => this.cardinality.labelValues(p),
      userStats: (p) => this.cardinality.userStats(p),
    };
    const requests = this.metrics?.counter('query_requests_total', 'Query service requests by endpoint and outcome (success or Prometheus errorType).', ['endpoint', 'status']);
    const duration = this.metrics?.histogram('query_request_duration_seconds', 'Time to answer a query service request.', ['endpoint']);
    for (const endpoint of Object.keys(routes) as Endpoint[]) {
      const handle = routes[endpoint];
      this.serving.push(
        this.bus.serve(QuerySubjects[endpoint], QUERY_QUEUE_GROUP, async (payload: unknown) => {
          const stop = duration?.startTimer({ endpoint });
          const reply = await handle(payload);
          stop?.();
          requests?.inc({ endpoint, status: reply.status === 'success' ? 'success' : reply.errorType });
          return reply;
        }),
      );
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.serving.splice(0).map((s) => s.stop()));
  }
}
