import { CorruptBlockError } from '../errors';
import { type Postings } from '../index/postings';
import { type Label, type Labels } from '../labels';
import { readUvarint } from '../varint';
import { type BlockFiles, coalesce } from './block-files';
import { ByteReader, be32At, compareUtf8, verifyCrc } from './encoding';
import { type IndexHeader } from './index-header';
import {
  type ChunkMeta,
  INDEX_FORMAT_V2,
  INDEX_TOC_SIZE,
  type IndexToc,
  MAGIC_INDEX,
  SERIES_ALIGN,
} from './index-writer';

/** A series as the index describes it: id, labels and where its chunks are. */
export interface IndexSeries {
  /** Offset of the entry divided by 16; ids sort like the label sets. */
  readonly id: number;
  readonly labels: Labels;
  readonly chunks: readonly ChunkMeta[];
}

interface NameEntry {
  /** Values of the name, sorted by UTF-8 bytes. */
  readonly values: string[];
  /** Position of the first value in {@link IndexReader.postingsOffsets}. */
  readonly base: number;
}

// Reads of a series entry start with this many bytes; larger entries cost a second read.
const SERIES_READ_GUESS = 512;
const MAX_GAP = 16 * 1024;

/**
 * Reads an index file (format v2) through ranged reads: the TOC, the symbol table and the postings
 * offset table are loaded when opened; postings lists and series entries are fetched on demand,
 * neighbouring ranges merged into one read. Every section read is checked against its CRC32C.
 */
export class IndexReader {
  private readonly names = new Map<string, NameEntry>();
  /** Offsets of every postings list, in offset-table (and file) order. */
  private readonly postingsOffsets: number[] = [];

  private constructor(
    private readonly files: BlockFiles,
    private readonly file: string,
    readonly size: number,
    readonly toc: IndexToc,
    readonly symbols: readonly string[],
  ) {}

  /** Opens the index `file` of a block: header, TOC, symbol table and postings offset table. */
  static async open(files: BlockFiles, file = 'index'): Promise<IndexReader> {
    const { size, toc } = await readIndexToc(files, file);
    const symbols =
      toc.symbols === 0 ? [] : decodeSymbols(await readSection(files, file, toc.symbols), file);
    const r = new IndexReader(files, file, size, toc, symbols);
    if (toc.postingsTable !== 0) {
      const end = size - INDEX_TOC_SIZE;
      r.parsePostingsTable(
        await files.readRange(file, toc.postingsTable, end - toc.postingsTable),
        file,
      );
    }
    return r;
  }

  /**
   * Opens the index `file` with symbols and postings offsets taken from its parsed index-header
   * (`parseIndexHeader`), so opening reads nothing from the index but its size. Of the TOC only the
   * postings offset table's position is known then; the other offsets read as 0.
   */
  static async fromHeader(files: BlockFiles, h: IndexHeader, file = 'index'): Promise<IndexReader> {
    const size = await files.size(file);
    const toc: IndexToc = {
      symbols: 0,
      series: 0,
      labelIndices: 0,
      labelIndicesTable: 0,
      postings: 0,
      postingsTable: h.indexPostingsTable,
    };
    const r = new IndexReader(files, file, size, toc, h.symbols);
    if (h.postingsTable !== null) r.parsePostingsTable(h.postingsTable, 'index-header');
    return r;
  }

  /** Label names present in the block, sorted. */
  labelNames(): string[] {
    return [...this.names.keys()].filter((n) => n !== '');
  }

  /** Values of a label name, sorted by UTF-8 bytes; empty when the name is absent. */
  labelValues(name: string): readonly string[] {
    return this.names.get(name)?.values ?? [];
  }

  /** Series ids carrying `name=value` (the empty pair: every series). */
  async postings(name: string, value: string): Promise<Postings> {
    return (await this.postingsMany([[name, value]]))[0];
  }

  /** Every series id in the index. */
  allPostings(): Promise<Postings> {
    return this.postings('', '');
  }

  /** Postings of several label pairs, fetched with as few reads as their placement allows. */
  async postingsMany(pairs: ReadonlyArray<readonly [string, string]>): Promise<Postings[]> {
    const slots: Array<{ k: number; at: number }> = [];
    const out: Postings[] = pairs.map(() => []);
    pairs.forEach(([n, v], at) => {
      const k = this.postingsIndex(n, v);
      if (k >= 0) slots.push({ k, at });
    });
    slots.sort((a, b) => a.k - b.k);
    const starts = slots.map((s) => this.postingsOffsets[s.k]);
    const groups = coalesce(starts, (i) => this.postingsEnd(slots[i].k), MAX_GAP);
    await Promise.all(
      groups.map(async (g) => {
        const buf = await this.files.readRange(this.file, g.from, g.to - g.from);
        for (let i = g.first; i <= g.last; i++)
          out[slots[i].at] = this.decodePostings(buf, starts[i] - g.from, starts[i]);
      }),
    );
    return out;
  }

  /** Series entries for ids (from postings), in the order given. */
  async series(ids: readonly number[]): Promise<IndexSeries[]> {
    const order = ids.map((id, at) => ({ id, at })).sort((a, b) => a.id - b.id);
    const starts = order.map((o) => o.id * SERIES_ALIGN);
    const end = this.sectionEnd(this.toc.series);
    const groups = coalesce(starts, (i) => Math.min(starts[i] + SERIES_READ_GUESS, end), MAX_GAP);
    const out: IndexSeries[] = new Array<IndexSeries>(ids.length);
    await Promise.all(
      groups.map(async (g) => {
        const buf = await this.files.readRange(this.file, g.from, g.to - g.from);
        for (let i = g.first; i <= g.last; i++) {
          const off = starts[i];
          let entry = buf.subarray(off - g.from);
          const need = entryLength(entry);
          if (need === null || need > entry.length) {
            const len = need ?? Math.min(64 * 1024, end - off);
            entry = await this.files.readRange(this.file, off, len);
            const again = entryLength(entry);
            if (again !== null && again > entry.length)
              entry = await this.files.readRange(this.file, off, again);
          }
          out[order[i].at] = this.decodeSeries(order[i].id, entry);
        }
      }),
    );
    return out;
  }

  private decodeSeries(id: number, entry: Uint8Array): IndexSeries {
    const what = `${this.file} series ${id}`;
    const r = new ByteReader(entry, 0, entry.length, what);
    const len = r.uvarint();
    const bodyStart = r.off;
    if (bodyStart + len + 4 > entry.length)
      throw new CorruptBlockError(`${what}: entry runs past the series section`);
    verifyCrc(entry.subarray(bodyStart, bodyStart + len), be32At(entry, bodyStart + len), what);
    const b = new ByteReader(entry, bodyStart, bodyStart + len, what);
    const nLabels = b.uvarint();
    const labels: Label[] = [];
    for (let i = 0; i < nLabels; i++)
      labels.push({ name: this.symbol(b.uvarint(), what), value: this.symbol(b.uvarint(), what) });
    const nChunks = b.uvarint();
    const chunks: ChunkMeta[] = [];
    let minT = 0;
    let maxT = 0;
    let ref = 0;
    for (let i = 0; i < nChunks; i++) {
      if (i === 0) {
        minT = b.varint();
        maxT = minT + b.uvarint();
        ref = b.uvarint();
      } else {
        minT = maxT + b.uvarint();
        maxT = minT + b.uvarint();
        ref += b.varint();
      }
      chunks.push({ minT, maxT, ref });
    }
    return { id, labels, chunks };
  }

  private symbol(i: number, what: string): string {
    const s = this.symbols[i];
    if (s === undefined) throw new CorruptBlockError(`${what}: unknown symbol ${i}`);
    return s;
  }

  private decodePostings(buf: Uint8Array, at: number, fileOffset: number): number[] {
    const what = `${this.file} postings at ${fileOffset}`;
    if (at + 8 > buf.length) throw new CorruptBlockError(`${what}: truncated`);
    const len = be32At(buf, at);
    if (at + 4 + len + 4 > buf.length)
      throw new CorruptBlockError(`${what}: list of ${len} bytes runs past its section`);
    verifyCrc(buf.subarray(at + 4, at + 4 + len), be32At(buf, at + 4 + len), what);
    const n = be32At(buf, at + 4);
    if (8 + 4 * n !== 4 + len)
      throw new CorruptBlockError(`${what}: ${n} entries do not fill ${len} bytes`);
    const out = new Array<number>(n);
    for (let i = 0; i < n; i++) out[i] = be32At(buf, at + 8 + 4 * i);
    return out;
  }

  private postingsIndex(name: string, value: string): number {
    const e = this.names.get(name);
    if (!e) return -1;
    let lo = 0;
    let hi = e.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareUtf8(e.values[mid], value) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo < e.values.length && e.values[lo] === value ? e.base + lo : -1;
  }

  private postingsEnd(k: number): number {
    return k + 1 < this.postingsOffsets.length
      ? this.postingsOffsets[k + 1]
      : this.sectionEnd(this.toc.postings);
  }

  // Where the section starting at `start` ends: at the next section the TOC knows, or at the TOC.
  private sectionEnd(start: number): number {
    const t = this.toc;
    let end = this.size - INDEX_TOC_SIZE;
    for (const s of [t.series, t.labelIndices, t.labelIndicesTable, t.postings, t.postingsTable])
      if (s > start && s < end) end = s;
    return end;
  }

  private parsePostingsTable(buf: Uint8Array, source: string): void {
    const what = `${source} postings offset table`;
    if (buf.length < 8) throw new CorruptBlockError(`${what}: truncated`);
    const len = be32At(buf, 0);
    if (4 + len + 4 > buf.length)
      throw new CorruptBlockError(`${what}: length ${len} runs past its section`);
    verifyCrc(buf.subarray(4, 4 + len), be32At(buf, 4 + len), what);
    const r = new ByteReader(buf, 4, 4 + len, what);
    const n = r.be32();
    let cur: NameEntry = { values: [], base: 0 };
    let curName: string | undefined;
    for (let i = 0; i < n; i++) {
      if (r.uvarint() !== 2)
        throw new CorruptBlockError(`${what}: entry ${i} does not hold a label pair`);
      const name = r.uvarintStr();
      const value = r.uvarintStr();
      const off = r.uvarint();
      if (name !== curName) {
        cur = { values: [], base: this.postingsOffsets.length };
        curName = name;
        this.names.set(name, cur);
      }
      cur.values.push(value);
      this.postingsOffsets.push(off);
    }
  }
}

/** Reads and validates an index's header and TOC. */
export async function readIndexToc(
  files: BlockFiles,
  file = 'index',
): Promise<{ size: number; toc: IndexToc }> {
  const size = await files.size(file);
  if (size < 5 + INDEX_TOC_SIZE)
    throw new CorruptBlockError(`${file}: ${size} bytes is too short for an index`);
  const head = await files.readRange(file, 0, 5);
  if (be32At(head, 0) !== MAGIC_INDEX)
    throw new CorruptBlockError(`${file}: invalid magic number ${be32At(head, 0).toString(16)}`);
  if (head[4] !== INDEX_FORMAT_V2)
    throw new CorruptBlockError(`${file}: unsupported index format version ${head[4]}`);
  const tocBytes = await files.readRange(file, size - INDEX_TOC_SIZE, INDEX_TOC_SIZE);
  verifyCrc(tocBytes.subarray(0, 48), be32At(tocBytes, 48), `${file} TOC`);
  const t = new ByteReader(tocBytes, 0, 48, `${file} TOC`);
  const toc: IndexToc = {
    symbols: t.be64(),
    series: t.be64(),
    labelIndices: t.be64(),
    labelIndicesTable: t.be64(),
    postings: t.be64(),
    postingsTable: t.be64(),
  };
  for (const [k, v] of Object.entries(toc)) {
    if (v > size - INDEX_TOC_SIZE)
      throw new CorruptBlockError(`${file} TOC: ${k} offset ${v} beyond the file`);
  }
  return { size, toc };
}

/** Reads a `len <4b> · body · CRC32C` section whole (length field included) and verifies it. */
export async function readSection(
  files: BlockFiles,
  file: string,
  off: number,
): Promise<Uint8Array> {
  const lenBytes = await files.readRange(file, off, 4);
  if (lenBytes.length < 4)
    throw new CorruptBlockError(`${file}: section at ${off} runs past the file`);
  const len = be32At(lenBytes, 0);
  const buf = await files.readRange(file, off, 4 + len + 4);
  if (buf.length < 4 + len + 4)
    throw new CorruptBlockError(`${file}: section at ${off} of ${len} bytes runs past the file`);
  return buf;
}

/** Decodes a symbol table section (length field included), verifying its CRC32C. */
export function decodeSymbols(section: Uint8Array, source: string): string[] {
  const what = `${source} symbol table`;
  if (section.length < 8) throw new CorruptBlockError(`${what}: truncated`);
  const len = be32At(section, 0);
  if (4 + len + 4 > section.length)
    throw new CorruptBlockError(`${what}: length ${len} runs past its section`);
  verifyCrc(section.subarray(4, 4 + len), be32At(section, 4 + len), what);
  const r = new ByteReader(section, 4, 4 + len, what);
  const n = r.be32();
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = r.uvarintStr();
  return out;
}

// Bytes a series entry needs (length prefix, body, CRC), or null if even the prefix is cut off.
function entryLength(b: Uint8Array): number | null {
  const prefix = { buf: b, off: 0, end: b.length };
  const len = readUvarint(prefix);
  return len < 0 ? null : prefix.off + len + 4;
}
