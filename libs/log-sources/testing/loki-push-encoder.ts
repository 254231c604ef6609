import * as protobuf from 'protobufjs';
import { compressSync } from 'snappy';

// Loki's published pkg/push/push.proto (package logproto), as proto text for protobufjs' parser:
// the client side of the specs, written apart from the source's own decoder so the two check
// each other against the published definition.
const PUSH_PROTO = `
syntax = "proto3";
package logproto;
message PushRequest { repeated StreamAdapter streams = 1; }
message StreamAdapter {
  string labels = 1;
  repeated EntryAdapter entries = 2;
  uint64 hash = 3;
}
message LabelPairAdapter {
  string name = 1;
  string value = 2;
}
message EntryAdapter {
  Timestamp timestamp = 1;
  string line = 2;
  repeated LabelPairAdapter structuredMetadata = 3;
}
message Timestamp {
  int64 seconds = 1;
  int32 nanos = 2;
}
`;

const PushRequest = protobuf.parse(PUSH_PROTO).root.lookupType('logproto.PushRequest');

/** One stream of a Loki push as a client builds it. */
export interface LokiPushStream {
  labels: string;
  entries: Array<{ tsNs: bigint; line: string; metadata?: Record<string, string> }>;
}

/** A Loki push body as Promtail sends it: `logproto.PushRequest`, snappy block compressed. */
export function encodeLokiPush(streams: LokiPushStream[]): Buffer {
  const message = PushRequest.fromObject({
    streams: streams.map((s) => ({
      labels: s.labels,
      entries: s.entries.map((e) => ({
        timestamp: {
          seconds: String(e.tsNs / 1_000_000_000n),
          nanos: Number(e.tsNs % 1_000_000_000n),
        },
        line: e.line,
        structuredMetadata: Object.entries(e.metadata ?? {}).map(([name, value]) => ({
          name,
          value,
        })),
      })),
    })),
  });
  return compressSync(Buffer.from(PushRequest.encode(message).finish()));
}
