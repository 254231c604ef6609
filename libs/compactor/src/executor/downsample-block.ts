import { mkdir, rm } from 'node:fs/promises';
import { BucketBlockFiles, type BlockWithMeta, blockDir, putBlock } from '@strata/blocks';
import { type Bucket } from '@strata/objstore';
import {
  type BlockMeta,
  type BlockSeries,
  type BlockReader,
  ENC_AGGR,
  blockSeries,
  downsampleAggr,
  downsampleRaw,
  openBlock,
  writeBlock,
  xorIteratorFromBytes,
} from '@strata/tsdb';
import { TENANT_LABEL } from '@strata/contracts';

/** Where and what a downsampling writes. */
export interface DownsampleOptions {
  readonly bucket: Bucket;
  readonly tenant: string;
  /** Local folder for the block being written; emptied first. */
  readonly workDir: string;
}

/**
 * Writes a block of `resolution` from one raw or downsampled block, as Thanos' downsampler does:
 * same time range, level and compaction sources, `thanos.downsample.resolution` set, every
 * series' chunks replaced by AggrChunks (count, sum, min, max, counter). The source stays; once
 * uploaded, the new block's sources tell the next cycle that this resolution exists for them.
 */
export async function downsampleBlock(
  source: BlockWithMeta,
  resolution: number,
  opts: DownsampleOptions,
): Promise<BlockMeta> {
  await rm(opts.workDir, { recursive: true, force: true });
  await mkdir(opts.workDir, { recursive: true });
  const inRes = source.meta.thanos?.downsample.resolution ?? 0;
  const reader = await openBlock(
    new BucketBlockFiles(opts.bucket, blockDir(opts.tenant, source.ulid)),
  );
  let written;
  try {
    const labels = { ...(source.meta.thanos?.labels ?? {}) };
    delete labels[TENANT_LABEL];
    written = await writeBlock({
      parentDir: opts.workDir,
      series: downsampled(reader, inRes, resolution),
      minTime: source.meta.minTime,
      maxTime: source.meta.maxTime,
      tenant: opts.tenant,
      externalLabels: labels,
      source: 'compactor',
      downsampleResolution: resolution,
      compaction: {
        level: source.meta.compaction.level,
        sources: [...(source.meta.compaction.sources ?? [source.ulid])],
      },
    });
  } finally {
    await reader.close();
  }
  await putBlock(opts.bucket, opts.tenant, written.dir);
  await rm(opts.workDir, { recursive: true, force: true });
  return written.meta;
}

async function* downsampled(
  reader: BlockReader,
  inRes: number,
  outRes: number,
): AsyncGenerator<BlockSeries> {
  for await (const s of blockSeries(reader)) {
    if (inRes > 0 && s.chunks.every((c) => c.encoding === ENC_AGGR)) {
      yield { labels: s.labels, chunks: downsampleAggr(s.chunks, inRes, outRes) };
      continue;
    }
    // A raw series is decoded whole: one series' samples, never the block's.
    const ts: number[] = [];
    const vs: number[] = [];
    let last = -Infinity;
    for (const c of s.chunks) {
      const it = xorIteratorFromBytes(c.data);
      while (it.next()) {
        if (it.t <= last) continue;
        ts.push(it.t);
        vs.push(it.v);
        last = it.t;
      }
    }
    yield { labels: s.labels, chunks: downsampleRaw(ts, vs, outRes) };
  }
}
