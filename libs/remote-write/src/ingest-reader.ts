import { type ByteCursor, LABEL_SEP, UVARINT_TRUNCATED, readUvarint } from '@strata/tsdb';
import { RemoteWriteError } from './errors';

// Read once: an imported binding is a property lookup on every use.
const SEP = LABEL_SEP;
const TRUNCATED = UVARINT_TRUNCATED;
const uvarintOf = readUvarint;

/** Refuses an ingest message that does not parse. */
export function fail(why: string): never {
  throw new RemoteWriteError('invalid_ingest_message', `invalid ingest message: ${why}`);
}

/** Bounds-checked reads over an ingest message body. */
export class Reader implements ByteCursor {
  off: number;
  readonly end: number;
  constructor(
    readonly buf: Buffer,
    start: number,
  ) {
    this.off = start;
    this.end = buf.length;
  }
  need(n: number): void {
    if (this.off + n > this.end) fail('truncated body');
  }
  uvarint(): number {
    const v = uvarintOf(this);
    if (v >= 0) return v;
    return fail(v === TRUNCATED ? 'truncated body' : 'varint too long');
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
