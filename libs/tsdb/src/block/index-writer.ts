import { InvalidBlockError } from '../errors';
import { type Labels, labelsToString } from '../labels';
import { ByteWriter, compareUtf8, crc32cOf } from './encoding';
import { FileWriter } from './file-writer';
import { compareLabelsUtf8 } from './series-order';

/** Magic number opening an index file. */
export const MAGIC_INDEX = 0xbaaad700;
/** The index format version written: symbols referenced by position, series ids = offset / 16. */
export const INDEX_FORMAT_V2 = 2;
/** Size of the table of contents at the end of the index: six offsets and a CRC32C. */
export const INDEX_TOC_SIZE = 6 * 8 + 4;
/** Series entries start at multiples of this, so a 4-byte id addresses 64 GiB. */
export const SERIES_ALIGN = 16;

/** Where a chunk lives and which samples it covers, as the index records it. */
export interface ChunkMeta {
  /** Timestamp of the first sample. */
  readonly minT: number;
  /** Timestamp of the last sample. */
  readonly maxT: number;
  /** Segment sequence number in the upper 32 bits, offset inside the segment in the lower. */
  readonly ref: number;
}

/** Offsets of the index sections, the TOC. */
export interface IndexToc {
  symbols: number;
  series: number;
  labelIndices: number;
  labelIndicesTable: number;
  postings: number;
  postingsTable: number;
}

/**
 * Writes an index file (format v2) in stages: sorted symbols, then series in label order, then
 * label indices, postings and their offset tables, and the TOC. Bytes go to disk as they are
 * produced; what stays in memory is the symbol → position map and the postings (4 bytes per
 * label of every series).
 */
export class IndexWriter {
  private readonly symbolIndex = new Map<string, number>();
  private readonly postings = new Map<string, Map<string, number[]>>();
  private readonly all: number[] = [];
  private readonly toc: IndexToc = {
    symbols: 0,
    series: 0,
    labelIndices: 0,
    labelIndicesTable: 0,
    postings: 0,
    postingsTable: 0,
  };
  private readonly b1 = new ByteWriter(1 << 16);
  private readonly b2 = new ByteWriter(1 << 16);
  private lastSeries: Labels | null = null;

  private constructor(private readonly f: FileWriter) {}

  /** Creates the index file and writes its header. */
  static async create(path: string): Promise<IndexWriter> {
    const w = new IndexWriter(await FileWriter.create(path));
    w.b1.reset();
    w.b1.putBE32(MAGIC_INDEX);
    w.b1.putByte(INDEX_FORMAT_V2);
    await w.f.write(w.b1.bytes());
    return w;
  }

  /** Writes the symbol table; `symbols` must be sorted by UTF-8 bytes and free of duplicates. */
  async writeSymbols(symbols: readonly string[]): Promise<void> {
    this.toc.symbols = this.f.pos;
    const section = await this.beginSection();
    const b = this.b1;
    b.putBE32(symbols.length);
    for (let i = 0; i < symbols.length; i++) {
      if (i > 0 && compareUtf8(symbols[i - 1], symbols[i]) >= 0) {
        throw new InvalidBlockError(`symbol ${JSON.stringify(symbols[i])} out of order`);
      }
      this.symbolIndex.set(symbols[i], i);
      b.putUvarintStr(symbols[i]);
      await section.spill();
    }
    await section.end();
    this.toc.series = this.f.pos;
  }

  /**
   * Starts a `len · body · CRC32C` section whose body is appended to `b1` and spilled to disk in
   * 64 KiB pieces, so no table is held whole; the length is patched in at the end.
   */
  private async beginSection(): Promise<{ spill(): Promise<void>; end(): Promise<void> }> {
    const f = this.f;
    const start = f.pos;
    await f.write(new Uint8Array(4));
    const b = this.b1;
    b.reset();
    let crc = 0;
    let len = 0;
    const flush = async (): Promise<void> => {
      crc = crc32cOf(b.bytes(), crc);
      len += b.length;
      await f.write(b.bytes());
      b.reset();
    };
    return {
      spill: async () => {
        if (b.length >= 1 << 16) await flush();
      },
      end: async () => {
        await flush();
        if (len > 0xffffffff)
          throw new InvalidBlockError(`index section at ${start} exceeds 4 GiB`);
        b.putBE32(crc);
        await f.write(b.bytes());
        b.reset();
        b.putBE32(len);
        await f.writeAt(b.bytes(), start);
      },
    };
  }

  /** Appends a series; series must arrive strictly sorted by labels, chunks sorted by time. */
  async addSeries(labels: Labels, chunks: readonly ChunkMeta[]): Promise<void> {
    if (this.lastSeries !== null && compareLabelsUtf8(this.lastSeries, labels) >= 0) {
      throw new InvalidBlockError(
        `series ${labelsToString(labels)} out of order after ${labelsToString(this.lastSeries)}`,
      );
    }
    let lastMaxT = 0;
    for (let i = 0; i < chunks.length; i++) {
      const c = chunks[i];
      if (c.maxT < c.minT)
        throw new InvalidBlockError(`chunk maxT ${c.maxT} before minT ${c.minT}`);
      if (i > 0 && c.minT <= lastMaxT) {
        throw new InvalidBlockError(
          `series ${labelsToString(labels)}: chunk minT ${c.minT} not after previous chunk's maxT ${lastMaxT}`,
        );
      }
      lastMaxT = c.maxT;
    }
    const f = this.f;
    await f.pad(SERIES_ALIGN);
    const id = f.pos / SERIES_ALIGN;
    if (id > 0xffffffff) throw new InvalidBlockError('index series section exceeds 64 GiB');
    const b = this.b2;
    b.reset();
    b.putUvarint(labels.length);
    for (const l of labels) {
      b.putUvarint(this.symbol(l.name));
      b.putUvarint(this.symbol(l.value));
      let values = this.postings.get(l.name);
      if (!values) this.postings.set(l.name, (values = new Map()));
      const list = values.get(l.value);
      if (list) list.push(id);
      else values.set(l.value, [id]);
    }
    this.all.push(id);
    b.putUvarint(chunks.length);
    if (chunks.length > 0) {
      let prev = chunks[0];
      b.putVarint(prev.minT);
      b.putUvarint(prev.maxT - prev.minT);
      b.putUvarint(prev.ref);
      for (let i = 1; i < chunks.length; i++) {
        const c = chunks[i];
        b.putUvarint(c.minT - prev.maxT);
        b.putUvarint(c.maxT - c.minT);
        b.putVarint(c.ref - prev.ref);
        prev = c;
      }
    }
    const h = this.b1;
    h.reset();
    h.putUvarint(b.length);
    b.putBE32(crc32cOf(b.bytes()));
    await f.write(h.bytes());
    await f.write(b.bytes());
    this.lastSeries = labels;
  }

  /** Writes label indices, postings, both offset tables and the TOC, then syncs; returns the file size. */
  async close(): Promise<number> {
    const f = this.f;
    const labels = [...this.postings]
      .sort((a, b) => compareUtf8(a[0], b[0]))
      .map(([name, byValue]) => ({ name, byValue, values: [...byValue.keys()].sort(compareUtf8) }));

    await f.pad(4);
    this.toc.labelIndices = f.pos;
    const labelIndexOffsets: number[] = [];
    const b = this.b1;
    for (const { values } of labels) {
      await f.pad(4);
      labelIndexOffsets.push(f.pos);
      b.reset();
      b.putBE32(0);
      b.putBE32(1);
      b.putBE32(values.length);
      for (const v of values) b.putBE32(this.symbol(v));
      await this.writeWithLenAndCrc(b);
    }

    await f.pad(4);
    this.toc.postings = f.pos;
    const postingOffsets: number[] = [];
    postingOffsets.push(await this.writePostings(this.all));
    for (const { byValue, values } of labels) {
      for (const v of values) postingOffsets.push(await this.writePostings(byValue.get(v) ?? []));
    }

    this.toc.labelIndicesTable = f.pos;
    let section = await this.beginSection();
    b.putBE32(labels.length);
    for (let i = 0; i < labels.length; i++) {
      b.putByte(1);
      b.putUvarintStr(labels[i].name);
      b.putUvarint(labelIndexOffsets[i]);
      await section.spill();
    }
    await section.end();

    this.toc.postingsTable = f.pos;
    section = await this.beginSection();
    b.putBE32(postingOffsets.length);
    let k = 0;
    const entry = async (name: string, value: string): Promise<void> => {
      b.putByte(2);
      b.putUvarintStr(name);
      b.putUvarintStr(value);
      b.putUvarint(postingOffsets[k++]);
      await section.spill();
    };
    await entry('', '');
    for (const { name, values } of labels) for (const v of values) await entry(name, v);
    await section.end();

    b.reset();
    const t = this.toc;
    for (const off of [
      t.symbols,
      t.series,
      t.labelIndices,
      t.labelIndicesTable,
      t.postings,
      t.postingsTable,
    ])
      b.putBE64(off);
    b.putCrcSince(0);
    await f.write(b.bytes());
    return f.close();
  }

  /** Closes the file after a failure. */
  async abort(): Promise<void> {
    await this.f.abort();
  }

  private async writePostings(ids: readonly number[]): Promise<number> {
    await this.f.pad(4);
    const off = this.f.pos;
    const b = this.b2;
    b.reset();
    b.putBE32(0);
    b.putBE32(ids.length);
    for (const id of ids) b.putBE32(id);
    await this.writeWithLenAndCrc(b);
    return off;
  }

  // `b` starts with a 4-byte placeholder for the length of what follows it; the CRC covers those bytes.
  private async writeWithLenAndCrc(b: ByteWriter): Promise<void> {
    const bytes = b.bytes();
    const len = bytes.length - 4;
    bytes.writeUInt32BE(len, 0);
    b.putBE32(crc32cOf(b.bytes().subarray(4)));
    await this.f.write(b.bytes());
  }

  private symbol(s: string): number {
    const i = this.symbolIndex.get(s);
    if (i === undefined)
      throw new InvalidBlockError(`symbol ${JSON.stringify(s)} missing from the symbol table`);
    return i;
  }
}
