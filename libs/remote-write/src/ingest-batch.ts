import { putUvarint, readUvarint } from '@strata/tsdb';
import { fail } from './ingest-reader';

/** First two bytes of an ingest batch ("SB", never an ingest message's "SI"): several messages stored as one. */
export const INGEST_BATCH_MAGIC = 0x5342;
/** Current ingest batch format version. */
export const INGEST_BATCH_VERSION = 1;
const HEADER_BYTES = 3;

/** Bytes an ingest batch adds around its parts, at most: a count and a length per part. */
export function ingestBatchOverhead(parts: number): number {
  return HEADER_BYTES + 5 * (parts + 1);
}

/**
 * Joins ingest messages (each written by `encodeIngestMessage`, with its own tenant, checksum and
 * compression) into one stream message: magic u16 BE, version u8, part count, then each part's
 * length and bytes (uvarints). The router's group commit stores what several writes sent to one
 * partition with one publish; the ingester applies the parts in order under the one sequence.
 */
export function encodeIngestBatch(parts: readonly Uint8Array[]): Buffer {
  let size = HEADER_BYTES + 5;
  for (const p of parts) size += 5 + p.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt16BE(INGEST_BATCH_MAGIC, 0);
  out[2] = INGEST_BATCH_VERSION;
  let off = putUvarint(out, HEADER_BYTES, parts.length);
  for (const p of parts) {
    off = putUvarint(out, off, p.length);
    out.set(p, off);
    off += p.length;
  }
  return out.subarray(0, off);
}

/**
 * The ingest messages a stream message holds: itself when it is one message (the format before
 * batches, still what a lone write publishes), or the parts of a batch, not yet verified (each
 * part carries its own checksum, so one bad part does not make the others unreadable). Throws
 * RemoteWriteError when a batch's framing is broken.
 */
export function ingestMessagesOf(data: Uint8Array): Buffer[] {
  const wire = Buffer.isBuffer(data)
    ? data
    : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (wire.length < HEADER_BYTES || wire.readUInt16BE(0) !== INGEST_BATCH_MAGIC) return [wire];
  if (wire[2] !== INGEST_BATCH_VERSION) fail(`unsupported batch version ${wire[2]}`);
  const cursor = { buf: wire, off: HEADER_BYTES, end: wire.length };
  const count = uvarint(cursor);
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const n = uvarint(cursor);
    if (cursor.off + n > wire.length) fail('batch part is truncated');
    parts.push(wire.subarray(cursor.off, cursor.off + n));
    cursor.off += n;
  }
  if (cursor.off !== wire.length) fail('trailing bytes after the batch');
  return parts;
}

function uvarint(cursor: { buf: Buffer; off: number; end: number }): number {
  const v = readUvarint(cursor);
  return v >= 0 ? v : fail('batch framing is truncated');
}
