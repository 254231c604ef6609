import { gunzipSync, inflateSync } from 'node:zlib';
import { uncompressSync } from 'snappy';
import { readUvarint } from '@strata/tsdb';
import { LogInputError } from './errors';

/** Undoes `Content-Encoding` (gzip, deflate or none), never producing more than `maxBytes`. */
export function decodeContentEncoding(
  body: Buffer,
  encoding: string | undefined,
  maxBytes: number,
): Buffer {
  const e = (encoding ?? '').trim().toLowerCase();
  if (e === '' || e === 'identity') return body;
  try {
    if (e === 'gzip' || e === 'x-gzip') return gunzipSync(body, { maxOutputLength: maxBytes });
    if (e === 'deflate') return inflateSync(body, { maxOutputLength: maxBytes });
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw new LogInputError(
        'decoded_too_large',
        '',
        `decompressed body exceeds ${maxBytes} bytes`,
        { cause },
      );
    throw new LogInputError(
      'malformed',
      '',
      `body is not valid ${e}: ${(cause as Error).message}`,
      { cause },
    );
  }
  throw new LogInputError(
    'unsupported_encoding',
    '',
    `Content-Encoding ${JSON.stringify(encoding)} is not supported (gzip, deflate)`,
  );
}

/** Expands a snappy block (Loki's protobuf push), checking its announced size before allocating. */
export function expandSnappy(body: Buffer, maxBytes: number): Buffer {
  // Snappy announces the decoded length as a uvarint of at most 5 bytes.
  const size = readUvarint({ buf: body, off: 0, end: Math.min(body.length, 5) });
  if (size < 0)
    throw new LogInputError('malformed', '', 'body is not a snappy block: malformed length header');
  if (size > maxBytes)
    throw new LogInputError(
      'decoded_too_large',
      '',
      `decompressed body of ${size} bytes exceeds ${maxBytes}`,
    );
  try {
    return uncompressSync(body, { asBuffer: true, copyOutputData: true }) as Buffer;
  } catch (cause) {
    throw new LogInputError(
      'malformed',
      '',
      `body is not a snappy block: ${(cause as Error).message}`,
      { cause },
    );
  }
}
