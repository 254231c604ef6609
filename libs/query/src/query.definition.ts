import { defineService } from '@strata/service-kit';
import { createStoreClient } from '@strata/store-client';
import { QueryModule } from './query.module';
import { StoreSeriesSource } from './storage/store-series-source';

/** How processes compose the query service (its app and the all-in-one `strata`): it reads through the ingesters' Store API. */
export const queryService = defineService('query', (config) =>
  QueryModule.forRoot({
    sourceFromBus: (bus) => new StoreSeriesSource(createStoreClient(bus, { partitions: config.STRATA_INGEST_PARTITIONS })),
  }),
);
