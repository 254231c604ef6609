import { type DynamicModule, Module } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { QueryController } from './service/query.controller';
import { QueryExecutor, type QueryExecutorOptions } from './service/query-executor';
import { CardinalityExecutor } from './service/cardinality-executor';
import { type CardinalitySource } from './storage/cardinality-source';
import { MemorySeriesSource } from './storage/memory-series-source';
import { type SeriesSource } from './storage/series-source';

/** Injection token of the query service's `SeriesSource`. */
export const SERIES_SOURCE = Symbol.for('@strata/query:series-source');

/** Options of the query service module. */
export interface QueryModuleOptions extends QueryExecutorOptions {
  /** Where series come from when `sourceFromBus` is absent; an empty in-memory source by default. */
  source?: SeriesSource & CardinalitySource;
  /** Builds the source from the process's bus (the Store API client fans out over it); wins over `source`. */
  sourceFromBus?: (bus: Bus) => SeriesSource & CardinalitySource;
}

/** The query service: evaluates PromQL and answers the Prometheus read API subjects over the bus. */
@Module({})
export class QueryModule {
  /** The module with its series source and evaluation settings. */
  static forRoot(options: QueryModuleOptions = {}): DynamicModule {
    const { source, sourceFromBus, ...executorOptions } = options;
    const sourceProvider = sourceFromBus
      ? { provide: SERIES_SOURCE, useFactory: sourceFromBus, inject: [BUS] }
      : { provide: SERIES_SOURCE, useValue: source ?? new MemorySeriesSource() };
    return {
      module: QueryModule,
      controllers: [QueryController],
      providers: [
        sourceProvider,
        {
          provide: QueryExecutor,
          useFactory: (s: SeriesSource): QueryExecutor => new QueryExecutor(s, executorOptions),
          inject: [SERIES_SOURCE],
        },
        {
          provide: CardinalityExecutor,
          useFactory: (s: CardinalitySource): CardinalityExecutor => new CardinalityExecutor(s),
          inject: [SERIES_SOURCE],
        },
      ],
      exports: [QueryExecutor, CardinalityExecutor, SERIES_SOURCE],
    };
  }
}
