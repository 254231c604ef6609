import { parseStoreTimeBoundaries, storeShardOfTenant, storeSubjectShard } from '@strata/contracts';
import { type PlatformConfig } from '@strata/service-kit';

/** A store replica's place and bounds, validated from the platform config. */
export interface StoreGatewaySettings {
  /** Tenant shards and the one this replica serves. */
  shards: number;
  shard: number;
  /** Time boundaries (ms before now, oldest first) and this replica's partition among them. */
  timeBoundaries: number[];
  timePartition: number;
  /** The `n` of `Subjects.storeQuery('store', n)` this replica answers. */
  subjectShard: number;
  syncIntervalMs: number;
  /** How long a block marked for deletion is still served. */
  ignoreDeletionMarksDelayMs: number;
  maxOpenBlocks: number;
  indexHeaderBytes: number;
  indexRangeBytes: number;
  chunkPageBytes: number;
}

/** Reads the store settings; a shard or time partition outside the configured ones is refused at boot. */
export function storeGatewaySettings(config: PlatformConfig): StoreGatewaySettings {
  const shards = config.STRATA_STORE_SHARDS;
  const shard = config.STRATA_STORE_SHARD;
  if (shard >= shards)
    throw new Error(`STRATA_STORE_SHARD ${shard} must be below STRATA_STORE_SHARDS ${shards}`);
  const timeBoundaries = parseStoreTimeBoundaries(config.STRATA_STORE_TIME_RANGES);
  const timePartition = config.STRATA_STORE_TIME_PARTITION;
  if (timePartition > timeBoundaries.length)
    throw new Error(
      `STRATA_STORE_TIME_PARTITION ${timePartition} must be at most ${timeBoundaries.length} (STRATA_STORE_TIME_RANGES has ${timeBoundaries.length + 1} partitions)`,
    );
  return {
    shards,
    shard,
    timeBoundaries,
    timePartition,
    subjectShard: storeSubjectShard(shard, timePartition, shards),
    syncIntervalMs: config.STRATA_STORE_SYNC_INTERVAL_SECONDS * 1000,
    ignoreDeletionMarksDelayMs: config.STRATA_STORE_IGNORE_DELETION_MARKS_DELAY,
    maxOpenBlocks: config.STRATA_STORE_MAX_OPEN_BLOCKS,
    indexHeaderBytes: config.STRATA_STORE_INDEX_HEADER_CACHE_BYTES,
    indexRangeBytes: config.STRATA_STORE_INDEX_CACHE_BYTES,
    chunkPageBytes: config.STRATA_STORE_CHUNK_CACHE_BYTES,
  };
}

/** True when this replica's shard serves `tenant`. */
export function ownsTenant(
  settings: Pick<StoreGatewaySettings, 'shards' | 'shard'>,
  tenant: string,
): boolean {
  return storeShardOfTenant(tenant, settings.shards) === settings.shard;
}
