import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BucketBlockFiles,
  type DeletedInterval,
  type DeletionMatcher,
  type ListedBlock,
  blockDir,
  isDeleted,
  putBlock,
} from '@strata/blocks';
import { TENANT_LABEL } from '@strata/contracts';
import { type Bucket } from '@strata/objstore';
import {
  AGGREGATES,
  type Aggregate,
  type BlockChunk,
  type BlockMeta,
  type BlockSeries,
  ENC_AGGR,
  XorChunk,
  aggrIterator,
  blockSeries,
  encodeAggrChunk,
  encodeXorChunks,
  formatBlockMeta,
  openBlock,
  writeBlock,
  xorIteratorFromBytes,
} from '@strata/tsdb';

/** Where a rewrite writes, and the deletions it applies. */
export interface RewriteOptions {
  readonly bucket: Bucket;
  readonly tenant: string;
  /** Local folder for the block being written; emptied first. */
  readonly workDir: string;
  readonly deletions: DeletionMatcher;
}

/** What a rewrite made: the new block (null when nothing was left in it) and how many samples it left out. */
export interface RewrittenBlock {
  readonly meta: BlockMeta | null;
  readonly removedSamples: number;
}

/**
 * Writes a block again without the samples the deletions cover (Thanos' `bucket rewrite` with
 * deletions): same time range, level, compaction sources and resolution, so the planner and
 * readers take it for the source; `thanos.rewrites` records the deletion requests applied. A
 * series left with no sample is dropped, and a block left with no series is not uploaded. Returns
 * null, and writes nothing, when the block holds no deleted sample. The caller uploads nothing itself: the block is uploaded here, meta.json last.
 */
export async function rewriteBlock(
  source: ListedBlock,
  opts: RewriteOptions,
): Promise<RewrittenBlock | null> {
  await rm(opts.workDir, { recursive: true, force: true });
  await mkdir(opts.workDir, { recursive: true });
  const reader = await openBlock(
    new BucketBlockFiles(opts.bucket, blockDir(opts.tenant, source.ulid)),
  );
  const counter = { removed: 0 };
  let written;
  try {
    const labels = { ...(source.meta.thanos?.labels ?? {}) };
    delete labels[TENANT_LABEL];
    written = await writeBlock({
      parentDir: opts.workDir,
      series: withoutDeleted(blockSeries(reader), opts.deletions, source.meta, counter),
      minTime: source.meta.minTime,
      maxTime: source.meta.maxTime,
      tenant: opts.tenant,
      externalLabels: labels,
      source: 'bucket.rewrite',
      downsampleResolution: source.meta.thanos?.downsample.resolution ?? 0,
      compaction: {
        level: source.meta.compaction.level,
        sources: [...(source.meta.compaction.sources ?? [source.ulid])],
      },
    });
  } finally {
    await reader.close();
  }
  if (counter.removed === 0 || (written.meta.stats.numSeries ?? 0) === 0) {
    await rm(opts.workDir, { recursive: true, force: true });
    // A block whose every series was deleted is replaced by nothing (Prometheus drops empty blocks).
    return counter.removed === 0 ? null : { meta: null, removedSamples: counter.removed };
  }
  const applied = opts.deletions.requests.filter(
    (r) => r.minTime < source.meta.maxTime && r.maxTime >= source.meta.minTime,
  );
  const previous = (source.meta.thanos as { rewrites?: unknown[] } | undefined)?.rewrites ?? [];
  const meta = {
    ...written.meta,
    thanos: {
      ...written.meta.thanos,
      rewrites: [
        ...previous,
        {
          sources: [source.ulid],
          deletions_applied: applied.map((r) => ({
            request_id: r.id,
            matchers: r.selectors,
            intervals: [{ mint: r.minTime, maxt: r.maxTime }],
          })),
        },
      ],
    },
  } as BlockMeta;
  await writeFile(join(written.dir, 'meta.json'), formatBlockMeta(meta));
  await putBlock(opts.bucket, opts.tenant, written.dir);
  await rm(opts.workDir, { recursive: true, force: true });
  return { meta, removedSamples: counter.removed };
}

/** The ids of the deletion requests a block's rewrites already applied. */
export function appliedDeletionIds(meta: BlockMeta): Set<string> {
  const rewrites =
    (
      meta.thanos as
        { rewrites?: Array<{ deletions_applied?: Array<{ request_id?: string }> }> } | undefined
    )?.rewrites ?? [];
  return new Set(
    rewrites.flatMap((r) => (r.deletions_applied ?? []).map((d) => d.request_id ?? '')),
  );
}

async function* withoutDeleted(
  input: AsyncIterable<BlockSeries>,
  deletions: DeletionMatcher,
  meta: BlockMeta,
  counter: { removed: number },
): AsyncGenerator<BlockSeries> {
  for await (const s of input) {
    const byName = new Map(s.labels.map((l) => [l.name, l.value]));
    const intervals = deletions.intervalsWithin(
      (n) => byName.get(n) ?? '',
      meta.minTime,
      meta.maxTime,
    );
    if (intervals.length === 0) {
      yield s;
      continue;
    }
    const chunks: BlockChunk[] = [];
    for (const c of s.chunks) {
      if (!intervals.some((i) => i.minT <= c.maxT && i.maxT >= c.minT)) {
        chunks.push(c);
        continue;
      }
      if (c.encoding === ENC_AGGR) {
        const kept = filterAggrChunk(c, intervals, counter);
        if (kept !== null) chunks.push(kept);
        continue;
      }
      const ts: number[] = [];
      const vs: number[] = [];
      const it = xorIteratorFromBytes(c.data);
      while (it.next()) {
        if (isDeleted(it.t, intervals)) counter.removed++;
        else {
          ts.push(it.t);
          vs.push(it.v);
        }
      }
      chunks.push(...encodeXorChunks(ts, vs));
    }
    if (chunks.length > 0) yield { labels: s.labels, chunks };
  }
}

/** An AggrChunk without the windows whose timestamp is deleted, each aggregate filtered alike. */
function filterAggrChunk(
  c: BlockChunk,
  intervals: readonly DeletedInterval[],
  counter: { removed: number },
): BlockChunk | null {
  const parts: Partial<Record<Aggregate, XorChunk>> = {};
  let minT = Infinity;
  let maxT = -Infinity;
  for (const a of AGGREGATES) {
    const it = aggrIterator(c.data, a);
    const out = new XorChunk();
    let seen = false;
    while (it.next()) {
      seen = true;
      if (isDeleted(it.t, intervals)) {
        // Every aggregate has the same timestamps; count the windows once.
        if (a === 'count') counter.removed++;
        continue;
      }
      out.append(it.t, it.v);
      minT = Math.min(minT, it.t);
      maxT = Math.max(maxT, it.t);
    }
    if (seen) parts[a] = out;
  }
  if (minT === Infinity) return null;
  return { minT, maxT, data: encodeAggrChunk(parts), encoding: ENC_AGGR };
}
