import { mkdir, open, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ulid as newUlid } from 'ulid';
import { ENC_XOR, XorChunk } from '../chunk/xor';
import { InvalidBlockError } from '../errors';
import { type Labels, labelsToString } from '../labels';
import { ChunkWriter, DEFAULT_SEGMENT_SIZE } from './chunk-writer';
import { compareUtf8 } from './encoding';
import { type ChunkMeta, IndexWriter } from './index-writer';
import { type BlockMeta, type BlockSource, formatBlockMeta } from './meta';
import { compareLabelsUtf8 } from './series-order';
import { encodeTombstones } from './tombstones';

/** One encoded chunk of a series: its bytes exactly as the chunk encoding produced them. */
export interface BlockChunk {
  readonly minT: number;
  readonly maxT: number;
  /** Chunk data, e.g. {@link XorChunk.bytes} (2-byte sample count and bit stream). */
  readonly data: Uint8Array;
  /** Chunk encoding byte; XOR (1) when absent. */
  readonly encoding?: number;
}

/** A series to write: labels sorted by name and its chunks in time order. */
export interface BlockSeries {
  readonly labels: Labels;
  readonly chunks: readonly BlockChunk[];
}

/** What to write and how to describe it in `meta.json`. */
export interface WriteBlockOptions {
  /** Parent directory; the block appears as `<parentDir>/<ulid>/` once complete. */
  readonly parentDir: string;
  /** Series strictly sorted by labels (as Prometheus' `labels.Compare`, by UTF-8 bytes). */
  readonly series: Iterable<BlockSeries> | AsyncIterable<BlockSeries>;
  /**
   * The block's time range [minTime, maxTime); every chunk must lie inside it. When absent it is
   * [first sample, last sample + 1].
   */
  readonly minTime?: number;
  readonly maxTime?: number;
  /** Defaults to a new ULID. */
  readonly ulid?: string;
  /** Tenant, recorded as the `tenant_id` external label in `thanos.labels`. */
  readonly tenant?: string;
  /** Further external labels (e.g. the tenant's configured ones) for `thanos.labels`. */
  readonly externalLabels?: Readonly<Record<string, string>>;
  /** `thanos.source`; default `receive`, the role of a block cut from an ingester's head. */
  readonly source?: BlockSource;
  /** `thanos.downsample.resolution` in ms; 0 (raw data) by default. */
  readonly downsampleResolution?: number;
  /** Compaction level and source blocks; level 1 with itself as source by default. */
  readonly compaction?: { readonly level: number; readonly sources: readonly string[] };
  /** Segment size limit in bytes; 512 MiB by default. */
  readonly segmentSize?: number;
}

/** A block on disk and its meta. */
export interface WrittenBlock {
  readonly dir: string;
  readonly meta: BlockMeta;
}

interface PendingSeries {
  readonly labels: Labels;
  readonly chunks: ChunkMeta[];
}

/**
 * Writes a Prometheus block (index v2, chunk segments, empty tombstones, meta.json with the
 * Thanos section) into a temporary directory and renames it into place, so a partial block is
 * never visible under its ULID. Chunk bytes stream to disk as series arrive; labels and chunk
 * metas (≈ 24 bytes per chunk) are kept until the index is written.
 */
export async function writeBlock(opts: WriteBlockOptions): Promise<WrittenBlock> {
  const id = opts.ulid ?? newUlid();
  const final = join(opts.parentDir, id);
  const tmp = `${final}.tmp-for-creation`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(join(tmp, 'chunks'), { recursive: true });
  const chunkWriter = new ChunkWriter(
    join(tmp, 'chunks'),
    opts.segmentSize ?? DEFAULT_SEGMENT_SIZE,
  );
  let index: IndexWriter | null = null;
  try {
    const pending: PendingSeries[] = [];
    const symbols = new Set<string>();
    let numSamples = 0;
    let numChunks = 0;
    let minT = Infinity;
    let maxT = -Infinity;
    let last: Labels | null = null;
    for await (const s of opts.series) {
      validateLabels(s.labels);
      if (last !== null && compareLabelsUtf8(last, s.labels) >= 0) {
        throw new InvalidBlockError(
          `series ${labelsToString(s.labels)} out of order after ${labelsToString(last)}`,
        );
      }
      last = s.labels;
      if (s.chunks.length === 0) continue;
      const metas: ChunkMeta[] = [];
      for (const c of s.chunks) {
        checkChunk(s.labels, c, metas, opts);
        const encoding = c.encoding ?? ENC_XOR;
        const ref = await chunkWriter.write(encoding, c.data);
        metas.push({ minT: c.minT, maxT: c.maxT, ref });
        if (encoding === ENC_XOR) numSamples += (c.data[0] << 8) | c.data[1];
        minT = Math.min(minT, c.minT);
        maxT = Math.max(maxT, c.maxT);
      }
      numChunks += metas.length;
      for (const l of s.labels) {
        symbols.add(l.name);
        symbols.add(l.value);
      }
      pending.push({ labels: s.labels, chunks: metas });
    }
    const segments = await chunkWriter.close();

    index = await IndexWriter.create(join(tmp, 'index'));
    await index.writeSymbols([...symbols].sort(compareUtf8));
    symbols.clear();
    for (const s of pending) await index.addSeries(s.labels, s.chunks);
    const indexSize = await index.close();
    index = null;

    await writeSynced(join(tmp, 'tombstones'), encodeTombstones());

    const blockMinT = opts.minTime ?? (Number.isFinite(minT) ? minT : 0);
    const blockMaxT = opts.maxTime ?? (Number.isFinite(maxT) ? maxT + 1 : blockMinT);
    const meta: BlockMeta = {
      ulid: id,
      minTime: blockMinT,
      maxTime: blockMaxT,
      stats: { numSamples, numSeries: pending.length, numChunks },
      compaction: {
        level: opts.compaction?.level ?? 1,
        sources: [...(opts.compaction?.sources ?? [id])],
      },
      version: 1,
      thanos: {
        labels: {
          ...(opts.externalLabels ?? {}),
          ...(opts.tenant !== undefined ? { tenant_id: opts.tenant } : {}),
        },
        downsample: { resolution: opts.downsampleResolution ?? 0 },
        source: opts.source ?? 'receive',
        segment_files: segments.map((s) => s.name.slice('chunks/'.length)),
        files: [
          ...segments.map((s) => ({ rel_path: s.name, size_bytes: s.size })),
          { rel_path: 'index', size_bytes: indexSize },
          { rel_path: 'meta.json' },
        ],
      },
    };
    await writeSynced(join(tmp, 'meta.json'), formatBlockMeta(meta));
    await syncDir(join(tmp, 'chunks'));
    await syncDir(tmp);
    await rm(final, { recursive: true, force: true });
    await rename(tmp, final);
    await syncDir(opts.parentDir);
    return { dir: final, meta };
  } catch (e) {
    await chunkWriter.abort();
    await index?.abort();
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

function validateLabels(labels: Labels): void {
  if (labels.length === 0) throw new InvalidBlockError('series without labels');
  for (let i = 0; i < labels.length; i++) {
    if (labels[i].name === '')
      throw new InvalidBlockError(`empty label name in ${labelsToString(labels)}`);
    if (i > 0 && compareUtf8(labels[i - 1].name, labels[i].name) >= 0) {
      throw new InvalidBlockError(`labels not sorted or duplicated in ${labelsToString(labels)}`);
    }
  }
}

function checkChunk(
  labels: Labels,
  c: BlockChunk,
  prev: ChunkMeta[],
  opts: WriteBlockOptions,
): void {
  const where = `series ${labelsToString(labels)}`;
  if (c.data.length < 2) throw new InvalidBlockError(`${where}: chunk of ${c.data.length} bytes`);
  if (c.maxT < c.minT)
    throw new InvalidBlockError(`${where}: chunk maxT ${c.maxT} before minT ${c.minT}`);
  const p = prev[prev.length - 1];
  if (p !== undefined && c.minT <= p.maxT) {
    throw new InvalidBlockError(
      `${where}: chunk starting at ${c.minT} overlaps the previous one ending at ${p.maxT}`,
    );
  }
  if (
    (opts.minTime !== undefined && c.minT < opts.minTime) ||
    (opts.maxTime !== undefined && c.maxT >= opts.maxTime)
  ) {
    throw new InvalidBlockError(
      `${where}: chunk [${c.minT}, ${c.maxT}] outside the block range [${opts.minTime}, ${opts.maxTime})`,
    );
  }
}

/** Encodes samples (sorted by time, no duplicates) into XOR chunks of at most `samplesPerChunk`. */
export function encodeXorChunks(
  timestamps: ArrayLike<number>,
  values: ArrayLike<number>,
  samplesPerChunk = 120,
): BlockChunk[] {
  const out: BlockChunk[] = [];
  let c: XorChunk | null = null;
  let minT = 0;
  for (let i = 0; i < timestamps.length; i++) {
    if (c === null) {
      c = new XorChunk();
      minT = timestamps[i];
    }
    c.append(timestamps[i], values[i]);
    if (c.numSamples() === samplesPerChunk || i === timestamps.length - 1) {
      out.push({ minT, maxT: timestamps[i], data: c.compact() });
      c = null;
    }
  }
  return out;
}

async function writeSynced(path: string, data: string | Uint8Array): Promise<void> {
  await writeFile(path, data);
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function syncDir(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
