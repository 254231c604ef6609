import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BucketBlockFiles,
  DELETION_MARK_FILE,
  type BlockWithMeta,
  blockDir,
  blockKey,
  formatDeletionMark,
  putBlock,
} from '@strata/blocks';
import { TENANT_LABEL } from '@strata/contracts';
import { type Bucket } from '@strata/objstore';
import {
  type BlockMeta,
  type BlockReader,
  blockSeries,
  mergeSortedSeries,
  openBlock,
  writeBlock,
} from '@strata/tsdb';
import { type DedupFunc, dedupReplicaSeries } from './replica-dedup.stage';

/** The steps of a compaction, in order; a crash after any of them must lose and double nothing. */
export type CompactionStep = 'written' | 'uploaded' | 'marked';

/** What a compaction needs besides its inputs. */
export interface CompactOptions {
  readonly bucket: Bucket;
  readonly tenant: string;
  /** Local folder for the block being written; emptied first. */
  readonly workDir: string;
  readonly replicaLabels: ReadonlySet<string>;
  readonly dedupFunc: DedupFunc;
  readonly now?: () => number;
  /** Called after each step (the crash tests stop the process there). */
  readonly afterStep?: (step: CompactionStep, ulid: string) => void | Promise<void>;
}

/** What a compaction is asked to make. */
export interface CompactionGroup {
  readonly blocks: readonly BlockWithMeta[];
  readonly minTime: number;
  readonly maxTime: number;
  readonly level: number;
}

/**
 * Merges blocks of the bucket into one, as Thanos' compactor does: sources are read with ranged
 * GETs and merged series by series (memory bounded by a batch of series per source, not by block
 * size), the new block is written locally, uploaded with meta.json last, and only then are the
 * sources marked for deletion. A crash before the upload completes leaves the sources as they
 * were (a partial upload has no meta.json and is collected later); a crash before the marks
 * leaves a block whose sources another block contains, which readers ignore and the next cycle
 * marks.
 */
export async function compactBlocks(
  group: CompactionGroup,
  opts: CompactOptions,
): Promise<BlockMeta> {
  await rm(opts.workDir, { recursive: true, force: true });
  await mkdir(opts.workDir, { recursive: true });
  // Older blocks first: a timestamp present in two sources keeps the older block's value.
  const ordered = [...group.blocks].sort((a, b) => (a.ulid < b.ulid ? -1 : 1));
  const readers: BlockReader[] = [];
  let written;
  try {
    for (const b of ordered)
      readers.push(
        await openBlock(new BucketBlockFiles(opts.bucket, blockDir(opts.tenant, b.ulid))),
      );
    const merged = mergeSortedSeries(readers.map((r) => blockSeries(r)));
    written = await writeBlock({
      parentDir: opts.workDir,
      series: dedupReplicaSeries(
        merged,
        opts.replicaLabels,
        opts.dedupFunc,
        join(opts.workDir, 'replicas.spill'),
      ),
      minTime: group.minTime,
      maxTime: group.maxTime,
      tenant: opts.tenant,
      externalLabels: sharedExternalLabels(ordered, opts.replicaLabels),
      source: 'compactor',
      downsampleResolution: ordered[0]?.meta.thanos?.downsample.resolution ?? 0,
      compaction: {
        level: group.level,
        sources: [...new Set(ordered.flatMap((b) => b.meta.compaction.sources ?? [b.ulid]))].sort(),
      },
    });
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
  const ulid = written.meta.ulid;
  await opts.afterStep?.('written', ulid);
  await putBlock(opts.bucket, opts.tenant, written.dir);
  await opts.afterStep?.('uploaded', ulid);
  const nowSeconds = Math.floor((opts.now ?? Date.now)() / 1000);
  for (const b of ordered)
    await opts.bucket.put(
      blockKey(opts.tenant, b.ulid, DELETION_MARK_FILE),
      formatDeletionMark(b.ulid, nowSeconds, `compacted into ${ulid}`),
    );
  await opts.afterStep?.('marked', ulid);
  await rm(opts.workDir, { recursive: true, force: true });
  return written.meta;
}

/** External labels every source has with one value, minus the replica labels (Thanos drops those). */
function sharedExternalLabels(
  blocks: readonly BlockWithMeta[],
  replicaLabels: ReadonlySet<string>,
): Record<string, string> {
  const out: Record<string, string> = {};
  const first = blocks[0]?.meta.thanos?.labels ?? {};
  for (const [name, value] of Object.entries(first)) {
    if (name === TENANT_LABEL || replicaLabels.has(name)) continue;
    if (blocks.every((b) => b.meta.thanos?.labels[name] === value)) out[name] = value;
  }
  return out;
}
