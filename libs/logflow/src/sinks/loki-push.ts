import { type LogRecord } from '@strata/contracts';
import { compressBlock } from '@strata/remote-write';

/** One Loki stream: its label set and entries in the order received. */
export interface LokiStream {
  labels: Record<string, string>;
  entries: Array<{ timestampNs: string; line: string }>;
}

/** Groups records into streams by the labels `labelsOf` gives each. */
export function lokiStreams(
  records: readonly LogRecord[],
  labelsOf: (r: LogRecord) => Record<string, string>,
): LokiStream[] {
  const streams = new Map<string, LokiStream>();
  for (const r of records) {
    const labels = labelsOf(r);
    const key = lokiLabelString(labels);
    let s = streams.get(key);
    if (!s) {
      s = { labels, entries: [] };
      streams.set(key, s);
    }
    s.entries.push({ timestampNs: r.timestampNs, line: r.line });
  }
  return [...streams.values()];
}

/** Loki's label string (`{a="x", b="y"}`), names sorted, values escaped as PromQL strings. */
export function lokiLabelString(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

function varint(n: bigint | number, out: number[]): void {
  let v = BigInt(n);
  if (v < 0n) v = BigInt.asUintN(64, v);
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

function field(no: number, wire: 0 | 2, out: number[]): void {
  varint((no << 3) | wire, out);
}

function bytesField(no: number, bytes: Uint8Array, parts: Uint8Array[]): void {
  const head: number[] = [];
  field(no, 2, head);
  varint(bytes.length, head);
  parts.push(Uint8Array.from(head), bytes);
}

const text = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

/**
 * `logproto.PushRequest` as Loki's push API takes it: streams (field 1) of a label string (1) and
 * entries (2), each entry a `google.protobuf.Timestamp` (1: seconds, 2: nanos) and a line (2).
 */
export function encodeLokiPush(streams: readonly LokiStream[]): Uint8Array {
  const request: Uint8Array[] = [];
  for (const s of streams) {
    const stream: Uint8Array[] = [];
    bytesField(1, text.encode(lokiLabelString(s.labels)), stream);
    for (const e of s.entries) {
      const ns = BigInt(e.timestampNs);
      const ts: number[] = [];
      const seconds = ns / 1_000_000_000n;
      const nanos = Number(ns % 1_000_000_000n);
      if (seconds !== 0n) {
        field(1, 0, ts);
        varint(seconds, ts);
      }
      if (nanos !== 0) {
        field(2, 0, ts);
        varint(nanos, ts);
      }
      const entry: Uint8Array[] = [];
      bytesField(1, Uint8Array.from(ts), entry);
      bytesField(2, text.encode(e.line), entry);
      bytesField(2, concat(entry), stream);
    }
    bytesField(1, concat(stream), request);
  }
  return concat(request);
}

/** The push body compressed with snappy's block format, as Loki expects for protobuf. */
export function encodeLokiPushSnappy(streams: readonly LokiStream[]): Uint8Array {
  return compressBlock(encodeLokiPush(streams));
}

/** The JSON push body (`{"streams":[{"stream":{...},"values":[["<ns>","<line>"]]}]}`). */
export function encodeLokiPushJson(streams: readonly LokiStream[]): string {
  return JSON.stringify({
    streams: streams.map((s) => ({
      stream: s.labels,
      values: s.entries.map((e) => [e.timestampNs, e.line]),
    })),
  });
}
