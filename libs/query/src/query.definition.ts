import { parsePromDurationMs, parseStoreTimeBoundaries } from '@strata/contracts';
import { defineService } from '@strata/service-kit';
import { bucketConfigFromEnv, openBucket } from '@strata/objstore';
import { createStoreClient } from '@strata/store-client';
import { DeletionFilteringSource } from './storage/deletion-filtering-source';
import { QueryModule } from './query.module';
import { StoreSeriesSource } from './storage/store-series-source';

/**
 * How processes compose the query service (its app and the all-in-one `strata`): it reads through
 * the Store API of the ingesters (recent samples) and of the store gateways (blocks in the bucket),
 * and hides what deletion requests delete.
 */
export const queryService = defineService('query', (config) =>
  QueryModule.forRoot({
    sourceFromBus: (bus) =>
      // Deletion requests live in the bucket, beside the blocks they apply to.
      new DeletionFilteringSource(
        new StoreSeriesSource(
          createStoreClient(bus, {
            partitions: config.STRATA_INGEST_PARTITIONS,
            stores: {
              shards: config.STRATA_STORE_SHARDS,
              timeBoundaries: parseStoreTimeBoundaries(config.STRATA_STORE_TIME_RANGES),
              queryStoreAfterMs: parsePromDurationMs(config.STRATA_QUERY_STORE_AFTER),
            },
            partialResponse: config.STRATA_QUERY_PARTIAL_RESPONSE,
            replicaLabels: config.STRATA_QUERY_REPLICA_LABELS.split(',')
              .map((l) => l.trim())
              .filter(Boolean),
          }),
        ),
        openBucket(bucketConfigFromEnv(config)),
      ),
  }),
);
