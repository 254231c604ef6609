import { join } from 'node:path';
import { parseCompactionRanges } from '@strata/contracts';
import { type PlatformConfig } from '@strata/service-kit';
import { type TenantCycleSettings } from './cycle/tenant-cycle';
import { type Retention } from './cycle/retention';

/** A compactor replica's settings, validated from the platform config. */
export interface CompactorSettings {
  readonly cycle: TenantCycleSettings;
  readonly intervalMs: number;
  readonly shards: number;
  readonly shard: number;
  /** Retention of tenants the control plane gives no quota for. */
  readonly defaultRetention: Retention;
}

/** Reads the compactor settings; a shard outside the configured ones is refused at boot. */
export function compactorSettings(config: PlatformConfig): CompactorSettings {
  const ranges = parseCompactionRanges(config.STRATA_COMPACTOR_RANGES);
  if (ranges === null)
    throw new Error(`STRATA_COMPACTOR_RANGES ${config.STRATA_COMPACTOR_RANGES} is invalid`);
  if (config.STRATA_COMPACTOR_SHARD >= config.STRATA_COMPACTOR_SHARDS)
    throw new Error(
      `STRATA_COMPACTOR_SHARD ${config.STRATA_COMPACTOR_SHARD} must be below STRATA_COMPACTOR_SHARDS ${config.STRATA_COMPACTOR_SHARDS}`,
    );
  const replicaLabels = config.STRATA_COMPACTOR_REPLICA_LABELS.split(',')
    .map((l) => l.trim())
    .filter(Boolean);
  return {
    cycle: {
      ranges,
      deleteDelayMs: config.STRATA_COMPACTOR_DELETE_DELAY,
      partialUploadAgeMs: config.STRATA_COMPACTOR_PARTIAL_UPLOAD_AGE,
      replicaLabels: new Set(replicaLabels),
      dedupFunc: config.STRATA_COMPACTOR_DEDUP_FUNC,
      workDir: join(config.STRATA_DATA_DIR, 'compactor'),
      downsample: {
        enabled: config.STRATA_COMPACTOR_DOWNSAMPLING,
        span5mMs: config.STRATA_COMPACTOR_DOWNSAMPLE_5M_SPAN,
        span1hMs: config.STRATA_COMPACTOR_DOWNSAMPLE_1H_SPAN,
      },
    },
    intervalMs: config.STRATA_COMPACTOR_INTERVAL_SECONDS * 1000,
    shards: config.STRATA_COMPACTOR_SHARDS,
    shard: config.STRATA_COMPACTOR_SHARD,
    defaultRetention: {
      rawSeconds: config.STRATA_COMPACTOR_RETENTION_RAW_SECONDS,
      fiveMinutesSeconds: config.STRATA_COMPACTOR_RETENTION_5M_SECONDS,
      oneHourSeconds: config.STRATA_COMPACTOR_RETENTION_1H_SECONDS,
    },
  };
}
