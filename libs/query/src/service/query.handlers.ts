import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BUS, type Bus, type Stoppable } from '@strata/bus';
import { QUERY_QUEUE_GROUP, QuerySubjects, type PromApiReply } from '@strata/contracts';
import { QueryExecutor } from './query-executor';

/** Serves every query subject in the `query` queue group, so each request reaches one instance. */
@Injectable()
export class QueryHandlers implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly serving: Stoppable[] = [];

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    private readonly executor: QueryExecutor,
  ) {}

  onApplicationBootstrap(): void {
    const routes: Array<[string, (payload: unknown) => Promise<PromApiReply<unknown>>]> = [
      [QuerySubjects.instant, (p) => this.executor.instant(p)],
      [QuerySubjects.range, (p) => this.executor.range(p)],
      [QuerySubjects.series, (p) => this.executor.series(p)],
      [QuerySubjects.labelNames, (p) => this.executor.labelNames(p)],
      [QuerySubjects.labelValues, (p) => this.executor.labelValues(p)],
      [QuerySubjects.metadata, (p) => this.executor.metadata(p)],
      [QuerySubjects.exemplars, (p) => this.executor.exemplars(p)],
    ];
    for (const [subject, handle] of routes) this.serving.push(this.bus.serve(subject, QUERY_QUEUE_GROUP, handle));
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.serving.splice(0).map((s) => s.stop()));
  }
}
