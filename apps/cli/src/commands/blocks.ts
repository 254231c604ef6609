import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import {
  META_FILE,
  NO_COMPACT_MARK_FILE,
  blockKey,
  formatNoCompactMark,
  isBlockUlid,
  listTenantBlocks,
  readBlockMetaIfPresent,
  readObject,
  uploadBlock,
} from '@strata/blocks';
import { StrataError, TENANT_LABEL } from '@strata/contracts';
import {
  type Bucket,
  bucketConfigFromEnv,
  openBucket,
  parseBucketUrl,
  s3ConnectionFromEnv,
} from '@strata/objstore';
import { type BlockMeta, FsBlockFiles, IndexReader, parseBlockMeta } from '@strata/tsdb';
import { type CliConfig } from '../config';

/** What happened to one block of an upload or import. */
export interface BlockOutcome {
  ulid: string;
  tenant: string;
  minTime: number;
  maxTime: number;
  outcome: 'uploaded' | 'skipped' | 'refused';
  /** Why it was skipped or refused: `<code>[/<reason>]: <message>`. */
  detail?: string;
}

/** Opens the bucket STRATA_BUCKET_URL names, runs `fn` and closes it. */
export async function withBucket<T>(
  config: CliConfig,
  fn: (bucket: Bucket) => Promise<T>,
): Promise<T> {
  const bucket = openBucket(bucketConfigFromEnv(config.bucket));
  try {
    return await fn(bucket);
  } finally {
    await bucket.close();
  }
}

/** The block directories `path` names: itself when it holds meta.json, else its ULID-named children (a Prometheus data dir). */
export async function blockDirsIn(path: string): Promise<string[]> {
  if (await isFile(join(path, META_FILE))) return [path];
  const entries = await readdir(path, { withFileTypes: true }).catch(() => {
    throw new StrataError('validation_failed', `${path}: no such directory`);
  });
  const dirs = entries
    .filter((e) => e.isDirectory() && isBlockUlid(e.name))
    .map((e) => join(path, e.name));
  if (dirs.length === 0)
    throw new StrataError(
      'validation_failed',
      `${path}: neither a block (no meta.json) nor a data directory with blocks`,
      undefined,
      {
        reason: 'missing_meta',
      },
    );
  // ULIDs sort by creation time; blocks without meta.json are refused one by one below.
  return dirs.sort();
}

/** `strata blocks upload`: validates and uploads each block of `path` for `tenant`. */
export async function blocksUpload(
  config: CliConfig,
  args: { tenant: string; path: string; allowOverlap: boolean },
): Promise<BlockOutcome[]> {
  const dirs = await blockDirsIn(args.path);
  return withBucket(config, async (bucket) => {
    const out: BlockOutcome[] = [];
    for (const dir of dirs)
      out.push(await uploadOne(bucket, args.tenant, dir, { allowOverlap: args.allowOverlap }));
    return out;
  });
}

async function uploadOne(
  bucket: Bucket,
  tenant: string,
  dir: string,
  options: { allowOverlap: boolean; externalLabels?: Record<string, string> },
): Promise<BlockOutcome> {
  const ulid = dir.split('/').pop() ?? dir;
  try {
    const { meta } = await uploadBlock(bucket, tenant, dir, options);
    return {
      ulid: meta.ulid,
      tenant,
      minTime: meta.minTime,
      maxTime: meta.maxTime,
      outcome: 'uploaded',
    };
  } catch (error) {
    if (!(error instanceof StrataError)) throw error;
    const outcome = error.code === 'already_exists' ? 'skipped' : 'refused';
    return { ulid, tenant, minTime: NaN, maxTime: NaN, outcome, detail: describe(error) };
  }
}

function describe(error: StrataError): string {
  return `${error.code}${error.reason ? `/${error.reason}` : ''}: ${error.message}`;
}

/**
 * `strata blocks import-thanos`: copies every block of a Thanos bucket (flat `<ulid>/`) into
 * Strata's layout, under the tenant its `tenantLabel` external label names. Blocks marked for
 * deletion, downsampled, without meta.json or without the label are skipped; an import run twice skips what
 * the first one stored.
 */
export async function blocksImportThanos(
  config: CliConfig,
  args: { url: string; tenantLabel: string; allowOverlap: boolean },
): Promise<BlockOutcome[]> {
  const source = openBucket(parseBucketUrl(args.url, s3ConnectionFromEnv(config.bucket)));
  try {
    return await withBucket(config, async (dest) => {
      const out: BlockOutcome[] = [];
      for await (const entry of source.list('')) {
        const ulid = entry.replace(/\/$/, '');
        if (!entry.endsWith('/') || !isBlockUlid(ulid)) continue;
        out.push(await importOne(source, dest, ulid, args));
      }
      return out;
    });
  } finally {
    await source.close();
  }
}

async function importOne(
  source: Bucket,
  dest: Bucket,
  ulid: string,
  args: { tenantLabel: string; allowOverlap: boolean },
): Promise<BlockOutcome> {
  const skip = (detail: string, meta?: BlockMeta): BlockOutcome => ({
    ulid,
    tenant: '',
    minTime: meta?.minTime ?? NaN,
    maxTime: meta?.maxTime ?? NaN,
    outcome: 'skipped',
    detail,
  });
  if (!(await source.exists(`${ulid}/${META_FILE}`))) return skip('no meta.json: a partial upload');
  if (await source.exists(`${ulid}/deletion-mark.json`)) return skip('marked for deletion');
  const meta = parseBlockMeta(await readObject(source, `${ulid}/${META_FILE}`));
  const resolution = meta.thanos?.downsample.resolution ?? 0;
  // Downsampled blocks hold aggregate chunks the block reader does not read; raw ones cover the data.
  if (resolution > 0)
    return skip(`downsampled (resolution ${resolution} ms): only raw blocks are imported`, meta);
  const labels = meta.thanos?.labels ?? {};
  const tenant = labels[args.tenantLabel];
  if (tenant === undefined) return skip(`no external label ${args.tenantLabel}`, meta);
  if ((await readBlockMetaIfPresent(dest, tenant, ulid)) !== null)
    return { ...skip('already imported', meta), tenant };
  const dir = await mkdtemp(join(tmpdir(), `strata-import-${ulid}-`));
  try {
    for await (const key of source.list(ulid, { recursive: true })) {
      const rel = key.slice(ulid.length + 1);
      if (
        rel !== META_FILE &&
        rel !== 'index' &&
        rel !== 'tombstones' &&
        !/^chunks\/\d{6}$/.test(rel)
      )
        continue;
      await download(source, key, join(dir, rel));
    }
    const { [args.tenantLabel]: _tenant, [TENANT_LABEL]: _strata, ...kept } = labels;
    return await uploadOne(dest, tenant, dir, {
      allowOverlap: args.allowOverlap,
      externalLabels: kept,
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function download(bucket: Bucket, key: string, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await pipeline(await bucket.get(key), createWriteStream(file));
}

/** `strata blocks ls`: the tenant's visible blocks. */
export function blocksLs(config: CliConfig, tenant: string): Promise<BlockMeta[]> {
  return withBucket(config, async (bucket) =>
    (await listTenantBlocks(bucket, tenant)).blocks
      .map((b) => b.meta)
      .sort((a, b) => a.minTime - b.minTime || (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0)),
  );
}

/** What `strata blocks inspect` shows of a block. */
export interface BlockInspection {
  meta: BlockMeta;
  labels: Array<{ name: string; values: number }>;
}

/** `strata blocks inspect`: the block's meta, stats and label names (with value counts) from its index. */
export async function blocksInspect(
  config: CliConfig,
  tenant: string,
  ulid: string,
): Promise<BlockInspection> {
  return withBucket(config, async (bucket) => {
    const meta = await readBlockMetaIfPresent(bucket, tenant, ulid);
    if (meta === null) throw new StrataError('not_found', `tenant ${tenant} has no block ${ulid}`);
    const dir = await mkdtemp(join(tmpdir(), `strata-inspect-${ulid}-`));
    const files = new FsBlockFiles(dir);
    try {
      await download(bucket, blockKey(tenant, ulid, 'index'), join(dir, 'index'));
      const index = await IndexReader.open(files);
      return {
        meta,
        labels: index
          .labelNames()
          .map((name) => ({ name, values: index.labelValues(name).length })),
      };
    } finally {
      await files.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * `strata blocks mark`: puts Thanos' `no-compact-mark.json` on a block of the tenant (as
 * `thanos tools bucket mark --marker=no-compact-mark.json`), or removes it; the compactor leaves a
 * marked block out of every compaction from its next cycle on.
 */
export async function blocksMarkNoCompact(
  config: CliConfig,
  args: { tenant: string; ulid: string; details?: string; remove: boolean },
): Promise<string> {
  return withBucket(config, async (bucket) => {
    const meta = await readBlockMetaIfPresent(bucket, args.tenant, args.ulid);
    if (meta === null)
      throw new StrataError('not_found', `tenant ${args.tenant} has no block ${args.ulid}`);
    const key = blockKey(args.tenant, args.ulid, NO_COMPACT_MARK_FILE);
    if (args.remove) {
      await bucket.delete(key);
      return `removed ${key}`;
    }
    await bucket.put(
      key,
      formatNoCompactMark(args.ulid, Math.floor(Date.now() / 1000), 'manual', args.details),
    );
    return `wrote ${key}`;
  });
}
