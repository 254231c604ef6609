import { ENC_XOR, xorIteratorFromBytes } from '../chunk/xor';
import { CorruptBlockError } from '../errors';
import { type Aggregate, ENC_AGGR } from '../downsample/aggr-chunk';
import { aggregateIterator } from '../downsample/downsample';
import { type Matcher } from '../index/matchers';
import { type Postings, type PostingsReader, postingsForMatchers } from '../index/postings';
import { ChainIterator, RangeIterator, type SampleIterator } from '../iterator';
import { type Labels } from '../labels';
import { type BlockFiles } from './block-files';
import { ChunkReader } from './chunk-reader';
import { parseIndexHeader } from './index-header';
import { IndexReader } from './index-reader';
import { type BlockMeta, parseBlockMeta } from './meta';
import { compareLabelsUtf8 } from './series-order';

/** A chunk of a selected series: its time range and encoded bytes. */
export interface SelectedChunk {
  readonly minT: number;
  readonly maxT: number;
  readonly encoding: number;
  readonly data: Uint8Array;
}

/** A series selected from a block, with the chunks overlapping the queried range. */
export interface BlockSelectedSeries {
  readonly labels: Labels;
  readonly chunks: readonly SelectedChunk[];
  /** A fresh iterator over the series' samples within the queried range. */
  iterator(): SampleIterator;
}

/** Options of {@link BlockReader.select}. */
export interface SelectOptions {
  /** Series fetched per round of index and chunk reads (default 256). */
  readonly batchSize?: number;
  /** Only series sorting after these labels (UTF-8 order): a paged read resumes without reading earlier chunks. */
  readonly after?: Labels;
  /** The aggregate a downsampled block's iterators yield (`counter` with resets applied). */
  readonly aggregate?: Aggregate;
}

/**
 * Opens a block from its files: meta.json, the index (TOC, symbols, postings offsets; or those
 * from a cached index-header) and lazily the chunks; closes `files` if that fails.
 */
export async function openBlock(
  files: BlockFiles,
  opts: { readonly indexHeader?: Uint8Array } = {},
): Promise<BlockReader> {
  try {
    const metaSize = await files.size('meta.json').catch((e: unknown) => {
      throw new CorruptBlockError(`meta.json: ${(e as Error).message}`);
    });
    const meta = parseBlockMeta(await files.readRange('meta.json', 0, metaSize));
    const index =
      opts.indexHeader === undefined
        ? await IndexReader.open(files)
        : await IndexReader.fromHeader(files, parseIndexHeader(opts.indexHeader));
    return new BlockReader(meta, index, new ChunkReader(files), files);
  } catch (e) {
    // The reader would have owned the handles; nobody else will close them.
    await files.close();
    throw e;
  }
}

/** Queries one block: series by matchers and time range, label names and values. */
export class BlockReader {
  constructor(
    readonly meta: BlockMeta,
    readonly index: IndexReader,
    readonly chunkReader: ChunkReader,
    private readonly files: BlockFiles,
  ) {}

  /** Series ids selected by the matchers, with Prometheus' matcher semantics. */
  async postings(matchers: readonly Matcher[]): Promise<Postings> {
    const ix = this.index;
    const pairs: Array<[string, string]> = [];
    let needAll = true;
    for (const m of matchers) {
      const positive = !m.matches('');
      if (positive) needAll = false;
      const target = positive ? m : m.inverse();
      if (target.type === '=') pairs.push([target.name, target.value]);
      else
        for (const v of ix.labelValues(target.name))
          if (target.matches(v)) pairs.push([target.name, v]);
    }
    if (needAll) pairs.push(['', '']);
    const lists = await ix.postingsMany(pairs);
    const fetched = new Map<string, Postings>();
    pairs.forEach(([n, v], i) => fetched.set(`${n}\xff${v}`, lists[i]));
    const reader: PostingsReader = {
      allPostings: () => fetched.get('\xff') ?? [],
      labelValuesFor: (name) => ix.labelValues(name),
      postings: (name, value) => fetched.get(`${name}\xff${value}`) ?? [],
    };
    return postingsForMatchers(reader, matchers);
  }

  /**
   * Series matching all matchers with samples in [mint, maxt] (both inclusive), sorted by labels,
   * fetched in batches so memory stays bounded by the batch, not the result.
   */
  async *select(
    matchers: readonly Matcher[],
    mint = Number.MIN_SAFE_INTEGER,
    maxt = Number.MAX_SAFE_INTEGER,
    opts: SelectOptions = {},
  ): AsyncGenerator<BlockSelectedSeries> {
    if (mint > this.meta.maxTime - 1 || maxt < this.meta.minTime) return;
    const ids = await this.postings(matchers);
    const batch = opts.batchSize ?? 256;
    for (let i = 0; i < ids.length; i += batch) {
      let series = await this.index.series(ids.slice(i, i + batch));
      const after = opts.after;
      if (after) series = series.filter((s) => compareLabelsUtf8(s.labels, after) > 0);
      const refs: number[] = [];
      for (const s of series)
        for (const c of s.chunks) if (c.maxT >= mint && c.minT <= maxt) refs.push(c.ref);
      const read = await this.chunkReader.chunks(refs);
      let k = 0;
      for (const s of series) {
        const chunks: SelectedChunk[] = [];
        for (const c of s.chunks) {
          if (c.maxT < mint || c.minT > maxt) continue;
          const r = read[k++];
          chunks.push({ minT: c.minT, maxT: c.maxT, encoding: r.encoding, data: r.data });
        }
        if (chunks.length === 0) continue;
        const aggregated = chunks.every((c) => c.encoding === ENC_AGGR);
        for (const c of chunks) {
          if (c.encoding !== ENC_XOR && !aggregated) {
            throw new CorruptBlockError(
              `series ${s.id}: chunk encoding ${c.encoding} (native histograms) is not supported`,
            );
          }
        }
        yield {
          labels: s.labels,
          chunks,
          iterator: () => {
            if (aggregated) {
              // Which aggregate a query wants is the caller's choice; raw samples do not exist here.
              const a = opts.aggregate;
              if (a === undefined)
                throw new CorruptBlockError(
                  `series ${s.id}: downsampled chunks read without naming an aggregate`,
                );
              return new RangeIterator(aggregateIterator(chunks, a), mint, maxt);
            }
            const its = chunks.map((c) => xorIteratorFromBytes(c.data));
            return new RangeIterator(
              its.length === 1 ? its[0] : new ChainIterator(its),
              mint,
              maxt,
            );
          },
        };
      }
    }
  }

  /** Sorted label names, of the series matching the matchers when any are given. */
  async labelNames(matchers: readonly Matcher[] = []): Promise<string[]> {
    if (matchers.length === 0) return this.index.labelNames();
    const names = new Set<string>();
    for (const s of await this.seriesFor(matchers)) for (const l of s.labels) names.add(l.name);
    return this.index.labelNames().filter((n) => names.has(n));
  }

  /** Sorted values of a label, among the series matching the matchers when any are given. */
  async labelValues(name: string, matchers: readonly Matcher[] = []): Promise<string[]> {
    const all = this.index.labelValues(name);
    if (matchers.length === 0) return [...all];
    const values = new Set<string>();
    for (const s of await this.seriesFor(matchers))
      for (const l of s.labels) if (l.name === name) values.add(l.value);
    return all.filter((v) => values.has(v));
  }

  /** Releases the block's file handles. */
  close(): Promise<void> {
    return this.files.close();
  }

  private async seriesFor(matchers: readonly Matcher[]) {
    return this.index.series(await this.postings(matchers));
  }
}
