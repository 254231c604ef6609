import { compressSync, uncompressSync } from 'snappy';
import { readUvarint } from '@strata/tsdb';

// `copyOutputData` makes the library copy its output into an ordinary Buffer instead of handing
// over its own memory as an external buffer: measured on 30 KB messages, compressing takes 9 µs
// instead of 125–160 µs and expanding 10 µs instead of 35–50 µs (external buffers are costly to
// create and to collect).
import { RemoteWriteError, UnsupportedMediaTypeError } from './errors';

// Stream identifier chunk that opens every snappy *framed* stream: type 0xff, length 6, "sNaPpY".
const FRAMED_MAGIC = Buffer.from([0xff, 0x06, 0x00, 0x00, 0x73, 0x4e, 0x61, 0x50, 0x70, 0x59]);

/** Reads the uncompressed length a snappy block announces, or -1 when the varint is malformed. */
export function snappyDecodedLength(body: Uint8Array): number {
  // Snappy announces a uint32: at most 5 bytes.
  const length = readUvarint({ buf: body, off: 0, end: Math.min(body.length, 5) });
  return length < 0 ? -1 : length;
}

/**
 * Decompresses a snappy *block* body as remote write requires, refusing the framed format and
 * checking the announced size before allocating so a tiny body cannot demand gigabytes.
 */
export function decompressBlock(body: Uint8Array, maxDecodedBytes: number): Buffer {
  if (
    body.length >= FRAMED_MAGIC.length &&
    FRAMED_MAGIC.equals(body.subarray(0, FRAMED_MAGIC.length))
  ) {
    throw new UnsupportedMediaTypeError(
      'snappy_framed_format',
      'body uses the snappy framed (stream) format; remote write requires snappy block format',
    );
  }
  return expandBlock(body, maxDecodedBytes);
}

/** Decompresses a snappy block, checking the announced size before allocating. */
export function expandBlock(body: Uint8Array, maxDecodedBytes: number): Buffer {
  const size = snappyDecodedLength(body);
  if (size < 0)
    throw new RemoteWriteError('invalid_snappy', 'invalid snappy block: malformed length header');
  if (size > maxDecodedBytes) {
    throw new RemoteWriteError(
      'request_too_large',
      `decompressed body of ${size} bytes exceeds the limit of ${maxDecodedBytes}`,
    );
  }
  try {
    return uncompressSync(body, { asBuffer: true, copyOutputData: true }) as Buffer;
  } catch (e) {
    throw new RemoteWriteError('invalid_snappy', `invalid snappy block: ${(e as Error).message}`);
  }
}

/** Compresses bytes into a snappy block, the body format remote write senders use. */
export function compressBlock(data: Uint8Array): Buffer {
  return compressSync(data, { copyOutputData: true });
}
