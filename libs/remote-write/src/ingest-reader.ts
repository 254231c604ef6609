import { LABEL_SEP } from '@strata/tsdb';
import { RemoteWriteError } from './errors';

// Read once: an imported binding is a property lookup on every use.
const SEP = LABEL_SEP;

/** Refuses an ingest message that does not parse. */
export function fail(why: string): never {
  throw new RemoteWriteError('invalid_ingest_message', `invalid ingest message: ${why}`);
}

/** Bounds-checked reads over an ingest message body. */
export class Reader {
  off: number;
  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.off = start;
  }
  need(n: number): void {
    if (this.off + n > this.buf.length) fail('truncated body');
  }
  uvarint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 8; i++) {
      this.need(1);
      const b = this.buf[this.off++];
      result += (b & 0x7f) * mul;
      if (b < 0x80) return result;
      mul *= 128;
    }
    return fail('varint too long');
  }
  str(): string {
    const n = this.uvarint();
    this.need(n);
    const s = this.buf.toString('utf8', this.off, this.off + n);
    this.off += n;
    return s;
  }
  /** Skips a length-prefixed label block and returns where it starts. */
  block(): number {
    const n = this.uvarint();
    this.need(n);
    if (n > 0 && this.buf[this.off + n - 1] !== SEP) fail('label block is not terminated');
    const start = this.off;
    this.off += n;
    return start;
  }
  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.off);
    this.off += 8;
    return v;
  }
}
