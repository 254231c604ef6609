import { xxh64 } from '@node-rs/xxhash';
import { type Label, type Labels } from './labels';

/**
 * A label set in Prometheus' canonical byte layout, `name 0xff value 0xff` per label in name
 * order: the exact input of {@link labelsHash}. 0xff never occurs in UTF-8, so the layout is
 * unambiguous, and the write path can carry, hash and compare a series' identity as bytes
 * without ever making strings of it.
 */
export interface LabelBlockRef {
  /** Holds the block at [start, end); usually a larger arena shared by many blocks. */
  readonly buf: Uint8Array;
  readonly start: number;
  readonly end: number;
}

/** Separator after every name and every value in a label block. */
export const LABEL_SEP = 0xff;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Encodes a sorted label set as a label block. */
export function encodeLabelBlock(labels: Labels): Buffer {
  let size = 0;
  for (const l of labels) size += Buffer.byteLength(l.name) + Buffer.byteLength(l.value) + 2;
  const out = Buffer.allocUnsafe(size);
  let o = 0;
  for (const l of labels) {
    o += out.write(l.name, o, 'utf8');
    out[o++] = LABEL_SEP;
    o += out.write(l.value, o, 'utf8');
    out[o++] = LABEL_SEP;
  }
  return out;
}

/** The label block of `labels` as a ref over its own buffer. */
export function labelBlockOf(labels: Labels): LabelBlockRef {
  const buf = encodeLabelBlock(labels);
  return { buf, start: 0, end: buf.length };
}

/** Decodes a label block back into labels; throws a RangeError on a malformed block. */
export function decodeLabelBlock(block: LabelBlockRef): Label[] {
  const { buf, end } = block;
  const out: Label[] = [];
  let i = block.start;
  while (i < end) {
    const name = readText(buf, i, end);
    i += name.bytes + 1;
    const value = readText(buf, i, end);
    i += value.bytes + 1;
    out.push({ name: name.text, value: value.text });
  }
  return out;
}

function readText(buf: Uint8Array, start: number, end: number): { text: string; bytes: number } {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b === LABEL_SEP) {
      const text = ascii
        ? String.fromCharCode.apply(null, buf.subarray(start, i) as unknown as number[])
        : utf8.decode(buf.subarray(start, i));
      return { text, bytes: i - start };
    }
    if (b >= 0x80) ascii = false;
  }
  throw new RangeError('label block ends inside a label');
}

/** Hashes a label block: equal to {@link labelsHash} of the labels it encodes. */
export function labelBlockHash(block: LabelBlockRef): bigint {
  return xxh64(block.buf.subarray(block.start, block.end));
}
