import { nuid } from '@nats-io/nats-core';
import { ChunkAssemblyError } from './errors';

/**
 * Headers of the chunk scheme (see README.md). They all start with `Strata-Chunk`, so handlers
 * never see them and user headers cannot collide with them.
 */
export const ChunkHeaders = {
  /** `<index>/<count>`, zero-based. */
  part: 'Strata-Chunk',
  /** Identifies the chunks of one payload. */
  id: 'Strata-Chunk-Id',
  /** Size of the whole payload, to check the reassembly and size the buffer once. */
  bytes: 'Strata-Chunk-Bytes',
  /** Request/reply only: the inbox on which the other side exchanges the remaining parts. */
  inbox: 'Strata-Chunk-Inbox',
  /** JetStream only, on the last chunk: stream sequences of the earlier chunks, comma-separated. */
  seqs: 'Strata-Chunk-Seqs',
} as const;

/** True for the bus's own chunk headers, which are hidden from handlers. */
export function isChunkHeader(key: string): boolean {
  return key.toLowerCase().startsWith('strata-chunk');
}

/** Room kept below max_payload for the protocol line and headers of each chunk. */
export const CHUNK_HEADER_BUDGET = 2048;

/** Splits a payload into parts of at most `size` bytes (views, no copies). */
export function splitPayload(data: Uint8Array, size: number): Uint8Array[] {
  if (size <= 0) throw new RangeError('chunk size must be positive');
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; offset += size)
    parts.push(data.subarray(offset, Math.min(offset + size, data.length)));
  return parts.length > 0 ? parts : [data];
}

/** A parsed `Strata-Chunk` header. */
export interface ChunkPart {
  index: number;
  count: number;
}

/** Parses `<index>/<count>`, or null when the header is absent. */
export function parseChunkPart(value: string | undefined): ChunkPart | null {
  if (!value) return null;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match)
    throw new ChunkAssemblyError(`bad ${ChunkHeaders.part} header ${JSON.stringify(value)}`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (count < 1 || index >= count)
    throw new ChunkAssemblyError(`bad ${ChunkHeaders.part} header ${JSON.stringify(value)}`);
  return { index, count };
}

/** Formats the `Strata-Chunk` header value. */
export function formatChunkPart(index: number, count: number): string {
  return `${index}/${count}`;
}

/** A fresh chunk group id. */
export function newChunkId(): string {
  return nuid.next();
}

/** The JetStream message id of one chunk, derived from the payload's msgId so a retried publish dedupes per part. */
export function chunkMsgId(msgId: string, index: number, count: number): string {
  return `${msgId}:${index}/${count}`;
}

/** Concatenates parts into one payload and checks the announced size. */
export function joinParts(parts: Uint8Array[], expectedBytes: number): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  if (Number.isFinite(expectedBytes) && total !== expectedBytes) {
    throw new ChunkAssemblyError(`reassembled ${total} bytes, expected ${expectedBytes}`);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
