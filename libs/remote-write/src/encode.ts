import { compressBlock } from './snappy';

/** Prometheus' staleness marker: a NaN with these exact bits, which JavaScript arithmetic may not keep. */
const STALE_NAN_BITS = 0x7ff0000000000002n;

/** One sample to send; `stale` writes Prometheus' staleness marker whatever `value` holds. */
export interface EncodableSample {
  timestamp: number;
  value: number;
  stale?: boolean;
}

/** One series to send: labels as name/value pairs (sorted by the caller, as remote write requires). */
export interface EncodableSeries {
  labels: ReadonlyArray<{ name: string; value: string }>;
  samples: readonly EncodableSample[];
}

const textEncoder = new TextEncoder();

/** A growable protobuf writer of the few wire types a `WriteRequest` needs. */
class ProtoWriter {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  pos = 0;

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  varint(v: number): void {
    this.ensure(10);
    // Timestamps before 1970 are negative int64s: ten bytes in two's complement.
    if (v < 0) {
      let big = BigInt.asUintN(64, BigInt(v));
      while (big >= 0x80n) {
        this.buf[this.pos++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buf[this.pos++] = Number(big);
      return;
    }
    while (v >= 0x80) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  tag(field: number, wireType: number): void {
    this.varint((field << 3) | wireType);
  }

  double(field: number, value: number, stale: boolean): void {
    this.tag(field, 1);
    this.ensure(8);
    if (stale) this.view.setBigUint64(this.pos, STALE_NAN_BITS, true);
    else this.view.setFloat64(this.pos, value, true);
    this.pos += 8;
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Writes a length-delimited submessage built by `body`, reserving one length byte and moving it when longer. */
  message(field: number, body: () => void): void {
    this.tag(field, 2);
    this.ensure(5);
    const lengthAt = this.pos;
    this.pos += 1;
    const start = this.pos;
    body();
    const length = this.pos - start;
    if (length < 0x80) {
      this.buf[lengthAt] = length;
      return;
    }
    let lengthBytes = 1;
    while (length >= 0x80 ** lengthBytes) lengthBytes++;
    this.ensure(lengthBytes - 1);
    this.buf.copyWithin(start + lengthBytes - 1, start, this.pos);
    this.pos = lengthAt;
    this.varint(length);
    this.pos += length;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Uncompressed `prometheus.WriteRequest` (remote write 1.0) bytes of float samples, metadata-free. */
export function marshalSamplesV1(series: readonly EncodableSeries[]): Uint8Array {
  const w = new ProtoWriter();
  for (const s of series) {
    w.message(1, () => {
      for (const l of s.labels) {
        w.message(1, () => {
          w.bytes(1, textEncoder.encode(l.name));
          w.bytes(2, textEncoder.encode(l.value));
        });
      }
      for (const sample of s.samples) {
        w.message(2, () => {
          w.double(1, sample.value, sample.stale === true);
          w.tag(2, 0);
          w.varint(sample.timestamp);
        });
      }
    });
  }
  return w.finish();
}

/** A snappy-compressed remote write 1.0 body (`Content-Type: application/x-protobuf`, `Content-Encoding: snappy`). */
export function encodeSamplesV1(series: readonly EncodableSeries[]): Buffer {
  return compressBlock(marshalSamplesV1(series));
}
