import { Readable } from 'node:stream';
import { StrataError } from '@strata/contracts';
import { type PutBody } from './bucket';

/** A put body as a stream; bytes and text become a one-chunk stream (never iterated byte by byte). */
export function bodyStream(body: PutBody): Readable {
  if (body instanceof Readable) return body;
  if (typeof body === 'string') return Readable.from([Buffer.from(body, 'utf8')]);
  if (body instanceof Uint8Array) return Readable.from([body]);
  return Readable.from(body);
}

/** An already finished stream with no bytes, for ranges past an object's end. */
export function emptyStream(): Readable {
  return Readable.from([]);
}

/** Throws on an offset or length `getRange` cannot mean. */
export function assertRange(offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0)
    throw new StrataError(
      'bad_request',
      `range offset must be a non-negative integer, got ${offset}`,
    );
  if (!Number.isSafeInteger(length) || length < -1)
    throw new StrataError(
      'bad_request',
      `range length must be -1 or a non-negative integer, got ${length}`,
    );
}
