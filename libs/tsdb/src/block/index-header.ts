import { CorruptBlockError } from '../errors';
import { type BlockFiles } from './block-files';
import { ByteReader, ByteWriter, be32At, verifyCrc } from './encoding';
import { decodeSymbols, readIndexToc, readSection } from './index-reader';
import { INDEX_FORMAT_V2 } from './index-writer';

/** Magic number of an index-header (Thanos' binary index-header). */
export const MAGIC_INDEX_HEADER = 0xbaaad792;
/** Index-header format version. */
export const INDEX_HEADER_V1 = 1;
const HEADER_SIZE = 4 + 1 + 1 + 8;
const HEADER_TOC_SIZE = 8 + 8 + 4;

/** A parsed index-header: the index's symbols and postings offset table section. */
export interface IndexHeader {
  /** Offset of the postings offset table in the index the header was built from. */
  readonly indexPostingsTable: number;
  readonly symbols: string[];
  /** The postings offset table section (length field included), null when the index had none. */
  readonly postingsTable: Uint8Array | null;
}

/**
 * Builds Thanos' binary index-header (version 1) for an index with two ranged reads: a copy of
 * the symbol table and of the postings offset table, all a store needs to resolve matchers
 * without keeping or re-reading the index. It is a local cache, never uploaded.
 */
export async function buildIndexHeader(files: BlockFiles, file = 'index'): Promise<Buffer> {
  const { toc } = await readIndexToc(files, file);
  const symbols = toc.symbols === 0 ? null : await readSection(files, file, toc.symbols);
  const table = toc.postingsTable === 0 ? null : await readSection(files, file, toc.postingsTable);
  // Verified now so a damaged index is refused once, not cached.
  if (symbols) decodeSymbols(symbols, file);
  if (table)
    verifyCrc(
      table.subarray(4, table.length - 4),
      be32At(table, table.length - 4),
      `${file} postings offset table`,
    );
  const b = new ByteWriter(
    HEADER_SIZE + (symbols?.length ?? 0) + (table?.length ?? 0) + HEADER_TOC_SIZE,
  );
  b.putBE32(MAGIC_INDEX_HEADER);
  b.putByte(INDEX_HEADER_V1);
  b.putByte(INDEX_FORMAT_V2);
  b.putBE64(toc.postingsTable);
  const symbolsAt = symbols ? b.length : 0;
  if (symbols) b.putBytes(symbols);
  const tableAt = table ? b.length : 0;
  if (table) b.putBytes(table);
  const tocAt = b.length;
  b.putBE64(symbolsAt);
  b.putBE64(tableAt);
  b.putCrcSince(tocAt);
  return Buffer.from(b.bytes());
}

/** Parses and verifies an index-header built by {@link buildIndexHeader} (or by Thanos). */
export function parseIndexHeader(h: Uint8Array): IndexHeader {
  const what = 'index-header';
  if (h.length < HEADER_SIZE + HEADER_TOC_SIZE)
    throw new CorruptBlockError(`${what}: ${h.length} bytes is too short`);
  if (be32At(h, 0) !== MAGIC_INDEX_HEADER)
    throw new CorruptBlockError(`${what}: invalid magic number`);
  if (h[4] !== INDEX_HEADER_V1) throw new CorruptBlockError(`${what}: unsupported version ${h[4]}`);
  if (h[5] !== INDEX_FORMAT_V2)
    throw new CorruptBlockError(`${what}: unsupported index version ${h[5]}`);
  const indexPostingsTable = new ByteReader(h, 6, 14, what).be64();
  const tocAt = h.length - HEADER_TOC_SIZE;
  verifyCrc(h.subarray(tocAt, tocAt + 16), be32At(h, tocAt + 16), `${what} TOC`);
  const t = new ByteReader(h, tocAt, tocAt + 16, `${what} TOC`);
  const symbolsAt = t.be64();
  const tableAt = t.be64();
  for (const off of [symbolsAt, tableAt]) {
    if (off !== 0 && (off < HEADER_SIZE || off + 8 > tocAt))
      throw new CorruptBlockError(`${what} TOC: offset ${off} out of range`);
  }
  const section = (off: number): Uint8Array =>
    h.subarray(off, Math.min(tocAt, off + 4 + be32At(h, off) + 4));
  return {
    indexPostingsTable,
    symbols: symbolsAt === 0 ? [] : decodeSymbols(section(symbolsAt), what),
    postingsTable: tableAt === 0 ? null : section(tableAt),
  };
}
