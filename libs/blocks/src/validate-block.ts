import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type BlockMeta,
  type BlockReader,
  ENC_XOR,
  TsdbError,
  FsBlockFiles,
  type Labels,
  compareLabelsUtf8,
  compareUtf8,
  decodeTombstones,
  labelsToString,
  openBlock,
  parseBlockMeta,
  xorIteratorFromBytes,
} from '@strata/tsdb';
import { InvalidBlockError } from './errors';
import { META_FILE } from './layout';

/** A file of a block directory with its size, as `thanos.files` lists it. */
export interface BlockFile {
  readonly relPath: string;
  readonly sizeBytes: number;
}

/** What reading a whole block found: its meta, its files and the counts it really holds. */
export interface ValidatedBlock {
  readonly meta: BlockMeta;
  /** `chunks/NNNNNN` in order, then `index`; meta.json is not among them. */
  readonly files: readonly BlockFile[];
  readonly segmentFiles: readonly string[];
  readonly stats: { numSeries: number; numChunks: number; numSamples: number };
  readonly labelNames: readonly string[];
}

const SERIES_BATCH = 256;
const POSTINGS_BATCH = 512;

/**
 * Reads a Prometheus block directory whole and refuses it (InvalidBlockError) unless meta.json is
 * version 1, the index is format v2, every CRC (index TOC, symbols, postings, series, chunks)
 * matches, series are sorted (and their label names), each series' chunks are in order, not overlapping and within the
 * meta's time range, every sample lies in its chunk's range, and the block has no tombstones (the
 * reader ignores them, so deleted data would come back).
 */
export async function validateBlockDir(dir: string): Promise<ValidatedBlock> {
  const meta = await readMeta(dir);
  await refuseTombstones(dir);
  const segmentFiles = await segmentFilesOf(dir);
  const files: BlockFile[] = [];
  for (const rel of [...segmentFiles.map((s) => `chunks/${s}`), 'index']) {
    const size = await stat(join(dir, rel)).then(
      (s) => s.size,
      () => {
        throw new InvalidBlockError('missing_file', `block ${meta.ulid}: ${rel} is missing`);
      },
    );
    files.push({ relPath: rel, sizeBytes: size });
  }
  let reader: BlockReader;
  try {
    reader = await openBlock(new FsBlockFiles(dir));
  } catch (error) {
    throw asInvalid(meta.ulid, error);
  }
  try {
    await checkPostings(reader);
    const stats = await checkSeries(reader, meta);
    return { meta, files, segmentFiles, stats, labelNames: reader.index.labelNames() };
  } catch (error) {
    throw asInvalid(meta.ulid, error);
  } finally {
    await reader.close();
  }
}

async function readMeta(dir: string): Promise<BlockMeta> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, META_FILE));
  } catch {
    throw new InvalidBlockError('missing_meta', `${dir}: no meta.json, not a block directory`);
  }
  try {
    return parseBlockMeta(bytes);
  } catch (error) {
    throw new InvalidBlockError('bad_meta', (error as Error).message);
  }
}

async function refuseTombstones(dir: string): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, 'tombstones'));
  } catch {
    return;
  }
  let count: number;
  try {
    count = decodeTombstones(bytes).length;
  } catch (error) {
    throw new InvalidBlockError('corrupt_block', `tombstones: ${(error as Error).message}`);
  }
  if (count > 0)
    throw new InvalidBlockError(
      'tombstones',
      `the block has ${count} tombstone(s): deleted data would be readable again after upload; ` +
        'compact them away first (Prometheus: /api/v1/admin/tsdb/clean_tombstones)',
    );
}

async function segmentFilesOf(dir: string): Promise<string[]> {
  const names = await readdir(join(dir, 'chunks')).catch(() => [] as string[]);
  const segments = names.filter((n) => /^\d{6}$/.test(n)).sort();
  if (segments.length !== names.length) {
    const odd = names.filter((n) => !/^\d{6}$/.test(n));
    throw new InvalidBlockError(
      'corrupt_block',
      `chunks/ holds files that are no segment: ${odd.join(', ')}`,
    );
  }
  return segments;
}

// Reading every postings list verifies each one's CRC and that it points at series that exist.
async function checkPostings(reader: BlockReader): Promise<void> {
  const ix = reader.index;
  const pairs: Array<[string, string]> = [['', '']];
  for (const name of ix.labelNames()) for (const v of ix.labelValues(name)) pairs.push([name, v]);
  for (let i = 0; i < pairs.length; i += POSTINGS_BATCH)
    await ix.postingsMany(pairs.slice(i, i + POSTINGS_BATCH));
}

async function checkSeries(
  reader: BlockReader,
  meta: BlockMeta,
): Promise<{ numSeries: number; numChunks: number; numSamples: number }> {
  const ids = await reader.index.allPostings();
  let previous: Labels | null = null;
  let numChunks = 0;
  let numSamples = 0;
  for (let i = 0; i < ids.length; i += SERIES_BATCH) {
    const batch = await reader.index.series(ids.slice(i, i + SERIES_BATCH));
    const refs: number[] = [];
    for (const s of batch) {
      const name = labelsToString(s.labels);
      if (previous !== null && compareLabelsUtf8(previous, s.labels) >= 0)
        throw new InvalidBlockError(
          'unsorted_series',
          `series ${name} is not after ${labelsToString(previous)} in the index`,
        );
      previous = s.labels;
      for (let l = 0; l < s.labels.length; l++)
        if (
          s.labels[l].name === '' ||
          (l > 0 && compareUtf8(s.labels[l - 1].name, s.labels[l].name) >= 0)
        )
          throw new InvalidBlockError(
            'unsorted_series',
            `series ${name}: label names are empty, repeated or not sorted`,
          );
      let prevMax: number | null = null;
      for (const c of s.chunks) {
        if (c.minT > c.maxT)
          throw new InvalidBlockError(
            'out_of_order_chunks',
            `series ${name}: chunk [${c.minT}, ${c.maxT}] ends before it starts`,
          );
        if (prevMax !== null && c.minT <= prevMax)
          throw new InvalidBlockError(
            'out_of_order_chunks',
            `series ${name}: chunk [${c.minT}, ${c.maxT}] overlaps or precedes the previous chunk ending at ${prevMax}`,
          );
        // Thanos' verifier tolerates a chunk ending exactly at the (exclusive) block end.
        if (c.minT < meta.minTime || c.maxT > meta.maxTime)
          throw new InvalidBlockError(
            'chunk_out_of_bounds',
            `series ${name}: chunk [${c.minT}, ${c.maxT}] lies outside the block's range [${meta.minTime}, ${meta.maxTime})`,
          );
        prevMax = c.maxT;
        refs.push(c.ref);
      }
    }
    const chunks = await reader.chunkReader.chunks(refs);
    let k = 0;
    for (const s of batch) {
      for (const c of s.chunks) {
        const chunk = chunks[k++];
        if (chunk.encoding !== ENC_XOR)
          throw new InvalidBlockError(
            'unsupported_chunk_encoding',
            `series ${labelsToString(s.labels)}: chunk encoding ${chunk.encoding} (native histograms) is not supported`,
          );
        const it = xorIteratorFromBytes(chunk.data);
        let lastT = -Infinity;
        while (it.next()) {
          if (it.t < c.minT || it.t > c.maxT || it.t <= lastT)
            throw new InvalidBlockError(
              'out_of_order_chunks',
              `series ${labelsToString(s.labels)}: sample at ${it.t} is out of order or outside its chunk [${c.minT}, ${c.maxT}]`,
            );
          lastT = it.t;
          numSamples++;
        }
        numChunks++;
      }
    }
  }
  return { numSeries: ids.length, numChunks, numSamples };
}

function asInvalid(ulid: string, error: unknown): Error {
  if (error instanceof InvalidBlockError)
    return new InvalidBlockError(error.refusal, `block ${ulid}: ${error.message}`);
  if (error instanceof TsdbError || error instanceof RangeError)
    return new InvalidBlockError('corrupt_block', `block ${ulid}: ${(error as Error).message}`);
  if ((error as NodeJS.ErrnoException).code === 'ENOENT')
    return new InvalidBlockError('missing_file', `block ${ulid}: ${(error as Error).message}`);
  return error as Error;
}
