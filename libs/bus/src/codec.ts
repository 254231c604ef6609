import { headers as natsHeaders, type MsgHdrs } from '@nats-io/nats-core';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes a JSON value as UTF-8 bytes. */
export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Decodes UTF-8 JSON bytes; an empty payload is `undefined`. */
export function decodeJson<T>(data: Uint8Array): T {
  if (data.length === 0) return undefined as T;
  return JSON.parse(decoder.decode(data)) as T;
}

/** Raw bytes pass through; anything else is sent as JSON. */
export function toBytes(data: Uint8Array | object): Uint8Array {
  return data instanceof Uint8Array ? data : encodeJson(data);
}

/** Builds NATS headers from a plain record, or undefined when there is nothing to send. */
export function toNatsHeaders(record: Record<string, string> | undefined): MsgHdrs | undefined {
  if (!record || Object.keys(record).length === 0) return undefined;
  const h = natsHeaders();
  for (const [k, v] of Object.entries(record)) h.set(k, v);
  return h;
}

/** Flattens NATS headers into a record (last value wins); `skip` drops the bus's own headers. */
export function fromNatsHeaders(
  h: MsgHdrs | undefined,
  skip?: (key: string) => boolean,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const key of h.keys()) {
    if (skip?.(key)) continue;
    out[key] = h.last(key);
  }
  return out;
}

/** Approximate wire size of a header block, used to keep each chunk under max_payload. */
export function headerBytes(record: Record<string, string> | undefined): number {
  if (!record) return 0;
  let n = 12;
  for (const [k, v] of Object.entries(record)) n += k.length + v.length + 4;
  return n;
}

/**
 * Bytes in a JSON reply: a caller in the same process (an `inProcess` route) gets them as they are,
 * while JSON, and so NATS, carries them as base64 text.
 */
export class WireBytes {
  constructor(readonly bytes: Uint8Array) {}

  /** The bytes as JSON carries them. */
  toJSON(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString(
      'base64',
    );
  }
}

/** The bytes of a {@link WireBytes} field, whether they came in process or as base64 text over NATS. */
export function wireBytes(field: string | { readonly bytes: Uint8Array }): Uint8Array {
  return typeof field === 'string' ? Buffer.from(field, 'base64') : field.bytes;
}
