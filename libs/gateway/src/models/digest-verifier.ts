import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type BlobDigest, StrataError } from '@strata/contracts';

/**
 * Passes bytes through while hashing them, and fails the stream at its end when the sha256 or
 * the length differ from what was announced. The failure reaches the bucket's put before the
 * stream ends, so the put is abandoned and no object stays: a blob key only ever holds bytes
 * whose digest is its name.
 */
export class DigestVerifier extends Transform {
  private readonly hash = createHash('sha256');
  private seen = 0;

  constructor(
    private readonly expected: BlobDigest,
    private readonly expectedSize: number | undefined,
    private readonly maxBytes: number,
  ) {
    super();
  }

  /** Bytes passed so far. */
  get bytes(): number {
    return this.seen;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.maxBytes) {
      done(
        new StrataError(
          'payload_too_large',
          `the blob is larger than ${this.maxBytes} bytes`,
          undefined,
          {
            reason: 'model_storage_bytes',
          },
        ),
      );
      return;
    }
    this.hash.update(chunk);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.expectedSize !== undefined && this.seen !== this.expectedSize) {
      done(
        new StrataError(
          'bad_request',
          `the body has ${this.seen} bytes, Content-Length said ${this.expectedSize}`,
          undefined,
          { reason: 'size_mismatch' },
        ),
      );
      return;
    }
    const actual = `sha256:${this.hash.digest('hex')}`;
    if (actual !== this.expected) {
      done(
        new StrataError(
          'bad_request',
          `digest mismatch: the body is ${actual}, not ${this.expected}`,
          undefined,
          {
            reason: 'digest_mismatch',
          },
        ),
      );
      return;
    }
    done();
  }
}
