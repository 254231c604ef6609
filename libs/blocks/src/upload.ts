import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { StrataError, TENANT_LABEL, TenantId } from '@strata/contracts';
import { type Bucket } from '@strata/objstore';
import { type BlockMeta, formatBlockMeta } from '@strata/tsdb';
import { InvalidBlockError } from './errors';
import { META_FILE, blockKey } from './layout';
import { listTenantBlocks } from './list-blocks';
import { readBlockMetaIfPresent } from './read-meta';
import { withTenantLock } from './tenant-lock';
import { type ValidatedBlock, validateBlockDir } from './validate-block';

/** The `thanos.source` of blocks that came in through an upload or an import. */
export const UPLOAD_SOURCE = 'upload';

/** Options of {@link uploadBlock}. */
export interface UploadBlockOptions {
  /** Accept a block overlapping the tenant's existing blocks in time (Mimir refuses by default). */
  readonly allowOverlap?: boolean;
  /**
   * External labels to keep besides `tenant_id` (default: those of the block's own meta.json,
   * minus `tenant_id`); an import drops the label it took the tenant from.
   */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** Abandons the upload; what was stored is removed and the block never becomes visible. */
  readonly signal?: AbortSignal;
  /** Told after each file is stored, for progress output. */
  readonly onFileStored?: (relPath: string, sizeBytes: number) => void;
}

/** A block stored in the bucket: the meta.json as uploaded and what the upload checked. */
export interface UploadedBlock {
  readonly tenant: string;
  readonly meta: BlockMeta;
  readonly validated: ValidatedBlock;
}

/**
 * Validates the Prometheus block in `blockDir` by reading it whole (see `validateBlockDir`), checks
 * it overlaps none of the tenant's blocks and is not there already, then stores it under
 * `<tenant>/<ulid>/` with meta.json rewritten (tenant label, source `upload`, files) and stored
 * last. Any failure removes what was stored, so a half-uploaded block is never visible.
 */
export async function uploadBlock(
  bucket: Bucket,
  tenant: string,
  blockDir: string,
  options: UploadBlockOptions = {},
): Promise<UploadedBlock> {
  const tenantOk = TenantId.safeParse(tenant);
  if (!tenantOk.success)
    throw new StrataError(
      'validation_failed',
      `tenant ${JSON.stringify(tenant)}: ${tenantOk.error.issues[0].message}`,
    );
  const validated = await validateBlockDir(blockDir);
  const source = validated.meta;
  const ownTenant = source.thanos?.labels[TENANT_LABEL];
  if (ownTenant !== undefined && ownTenant !== tenant)
    throw new InvalidBlockError(
      'tenant_mismatch',
      `block ${source.ulid}: its meta.json names tenant ${ownTenant}, not ${tenant}`,
    );
  return withTenantLock(tenant, () => store(bucket, tenant, blockDir, validated, options));
}

async function store(
  bucket: Bucket,
  tenant: string,
  blockDir: string,
  validated: ValidatedBlock,
  options: UploadBlockOptions,
): Promise<UploadedBlock> {
  const source = validated.meta;
  if ((await readBlockMetaIfPresent(bucket, tenant, source.ulid)) !== null)
    throw new StrataError(
      'already_exists',
      `block ${source.ulid} already exists for tenant ${tenant}`,
      undefined,
      {
        reason: 'block_exists',
      },
    );
  if (!options.allowOverlap) await refuseOverlap(bucket, tenant, source);
  const meta = strataMeta(tenant, validated, options.externalLabels);

  const stored: string[] = [];
  try {
    // Leftovers of an earlier, interrupted upload of this block are replaced, not mixed in.
    await removeBlockObjects(bucket, tenant, source.ulid);
    for (const file of validated.files) {
      options.signal?.throwIfAborted();
      const key = blockKey(tenant, source.ulid, file.relPath);
      stored.push(key);
      await bucket.put(key, createReadStream(join(blockDir, file.relPath)), {
        signal: options.signal,
      });
      options.onFileStored?.(file.relPath, file.sizeBytes);
    }
    options.signal?.throwIfAborted();
    await bucket.put(blockKey(tenant, source.ulid, META_FILE), formatBlockMeta(meta), {
      signal: options.signal,
    });
  } catch (error) {
    await Promise.allSettled(stored.map((k) => bucket.delete(k)));
    throw error;
  }
  return { tenant, meta, validated };
}

async function refuseOverlap(bucket: Bucket, tenant: string, block: BlockMeta): Promise<void> {
  const clash = (await listTenantBlocks(bucket, tenant)).blocks
    .map((b) => b.meta)
    .filter((m) => m.minTime < block.maxTime && block.minTime < m.maxTime);
  if (clash.length > 0)
    throw new InvalidBlockError(
      'block_overlap',
      `block ${block.ulid} [${block.minTime}, ${block.maxTime}) overlaps tenant ${tenant}'s ` +
        clash.map((m) => `${m.ulid} [${m.minTime}, ${m.maxTime})`).join(', ') +
        '; upload with overlap allowed to store it anyway (the compactor merges overlapping blocks)',
    );
}

async function removeBlockObjects(bucket: Bucket, tenant: string, ulid: string): Promise<void> {
  const keys: string[] = [];
  for await (const key of bucket.list(`${tenant}/${ulid}`, { recursive: true })) keys.push(key);
  await Promise.all(keys.map((k) => bucket.delete(k)));
}

/** The meta.json Strata stores: the block's own, with the ULID kept and Thanos' section set. */
function strataMeta(
  tenant: string,
  validated: ValidatedBlock,
  externalLabels: Readonly<Record<string, string>> | undefined,
): BlockMeta {
  const source = validated.meta;
  const { [TENANT_LABEL]: _ignored, ...kept } = externalLabels ?? source.thanos?.labels ?? {};
  return {
    ...source,
    stats: {
      ...source.stats,
      numSeries: validated.stats.numSeries,
      numChunks: validated.stats.numChunks,
      numSamples: validated.stats.numSamples,
      numFloatSamples: validated.stats.numSamples,
    },
    thanos: {
      ...source.thanos,
      version: 1,
      labels: { ...kept, [TENANT_LABEL]: tenant },
      downsample: source.thanos?.downsample ?? { resolution: 0 },
      source: UPLOAD_SOURCE,
      segment_files: [...validated.segmentFiles],
      files: [
        ...validated.files.map((f) => ({ rel_path: f.relPath, size_bytes: f.sizeBytes })),
        { rel_path: META_FILE },
      ],
    },
  };
}
