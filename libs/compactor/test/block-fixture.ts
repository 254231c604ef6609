import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BucketBlockFiles,
  blockDir,
  coveredBlocks,
  listTenantBlocks,
  putBlock,
} from '@strata/blocks';
import { type Bucket } from '@strata/objstore';
import {
  type Labels,
  blockSeries,
  encodeXorChunks,
  labelsFrom,
  labelsToString,
  mergeSortedSeries,
  openBlock,
  writeBlock,
  xorIteratorFromBytes,
} from '@strata/tsdb';

/** A series of a fixture block: labels and samples. */
export interface FixtureSeries {
  labels: Record<string, string>;
  samples: Array<[number, number]>;
}

/** Writes a block as an ingester would (level 1, tenant label) and puts it into the bucket. */
export async function putFixtureBlock(
  bucket: Bucket,
  tenant: string,
  minTime: number,
  maxTime: number,
  series: FixtureSeries[],
): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strata-fixture-'));
  try {
    const sorted = series
      .map((s) => ({ labels: labelsFrom(s.labels), samples: s.samples }))
      .sort((a, b) => (labelsToString(a.labels) < labelsToString(b.labels) ? -1 : 1));
    const written = await writeBlock({
      parentDir: dir,
      tenant,
      minTime,
      maxTime,
      series: sorted.map((s) => ({
        labels: s.labels,
        chunks: encodeXorChunks(
          s.samples.map(([t]) => t),
          s.samples.map(([, v]) => v),
        ),
      })),
    });
    await putBlock(bucket, tenant, written.dir);
    return written.meta.ulid;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * What a reader of the bucket sees for a tenant at raw resolution, as the store gateway reads it:
 * unmarked raw blocks, minus those another block contains, merged by labels and timestamp. Keyed by series.
 */
export async function readableSamples(
  bucket: Bucket,
  tenant: string,
): Promise<Map<string, Array<[number, number]>>> {
  const listing = await listTenantBlocks(bucket, tenant);
  const covered = coveredBlocks(listing.blocks);
  const readers = await Promise.all(
    listing.blocks
      .filter((b) => !covered.has(b.ulid) && (b.meta.thanos?.downsample.resolution ?? 0) === 0)
      .map((b) => openBlock(new BucketBlockFiles(bucket, blockDir(tenant, b.ulid)))),
  );
  const out = new Map<string, Array<[number, number]>>();
  try {
    for await (const s of mergeSortedSeries(readers.map((r) => blockSeries(r)))) {
      const samples: Array<[number, number]> = [];
      for (const c of s.chunks) {
        const it = xorIteratorFromBytes(c.data);
        while (it.next()) samples.push([it.t, it.v]);
      }
      out.set(key(s.labels), samples);
    }
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
  return out;
}

function key(labels: Labels): string {
  return labelsToString(labels);
}

/** Samples every `step` ms in [from, to), valued by `f`. */
export function samplesEvery(
  from: number,
  to: number,
  step: number,
  f: (t: number) => number = (t) => t / 1000,
): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = from; t < to; t += step) out.push([t, f(t)]);
  return out;
}
