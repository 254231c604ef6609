// Block fixtures for specs: puts a block directory written by writeBlock into a bucket, meta.json last
// (`@strata/blocks`' own upload validates; specs need raw control, e.g. a block without meta.json).
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Bucket } from '@strata/objstore';
import {
  type BlockSeries,
  compareLabelsUtf8,
  encodeXorChunks,
  labelsFrom,
  writeBlock,
} from '@strata/tsdb';

/** Puts every file of `dir` under `<tenant>/<ulid>/`, meta.json last (or never, with `withoutMeta`). */
export async function putBlockDir(
  bucket: Bucket,
  tenant: string,
  ulid: string,
  dir: string,
  opts: { withoutMeta?: boolean } = {},
): Promise<void> {
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(r);
      else files.push(r);
    }
  };
  await walk('');
  for (const f of files.filter((f) => f !== 'meta.json'))
    await bucket.put(`${tenant}/${ulid}/${f}`, await readFile(join(dir, f)));
  if (!opts.withoutMeta)
    await bucket.put(`${tenant}/${ulid}/meta.json`, await readFile(join(dir, 'meta.json')));
}

/** One series' samples for a test block. */
export interface TestSeries {
  labels: Record<string, string>;
  timestamps: number[];
  values: number[];
}

/** Writes a block of `series` for `tenant` under `tmpDir` and puts it in the bucket; returns its ULID. */
export async function writeTestBlock(
  bucket: Bucket,
  tmpDir: string,
  tenant: string,
  series: TestSeries[],
  opts: { minTime?: number; maxTime?: number; withoutMeta?: boolean; ulid?: string } = {},
): Promise<string> {
  const blockSeries: BlockSeries[] = series
    .map((s) => ({ labels: labelsFrom(s.labels), chunks: encodeXorChunks(s.timestamps, s.values) }))
    .sort((a, b) => compareLabelsUtf8(a.labels, b.labels));
  const written = await writeBlock({
    parentDir: tmpDir,
    series: blockSeries,
    tenant,
    minTime: opts.minTime,
    maxTime: opts.maxTime,
    ulid: opts.ulid,
  });
  await putBlockDir(bucket, tenant, written.meta.ulid, written.dir, opts);
  return written.meta.ulid;
}
