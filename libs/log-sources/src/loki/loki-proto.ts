import * as protobuf from 'protobufjs';

// Loki's pkg/push/push.proto (PushRequest, StreamAdapter, EntryAdapter, LabelPairAdapter) and
// google.protobuf.Timestamp as protobufjs descriptors. Text fields are declared `bytes` (the same
// wire type as `string`) so invalid UTF-8 is refused instead of becoming U+FFFD.
const root = protobuf.Root.fromJSON({
  nested: {
    logproto: {
      nested: {
        PushRequest: { fields: { streams: { rule: 'repeated', type: 'StreamAdapter', id: 1 } } },
        StreamAdapter: {
          fields: {
            labels: { type: 'bytes', id: 1 },
            entries: { rule: 'repeated', type: 'EntryAdapter', id: 2 },
            hash: { type: 'uint64', id: 3 },
          },
        },
        EntryAdapter: {
          fields: {
            timestamp: { type: 'Timestamp', id: 1 },
            line: { type: 'bytes', id: 2 },
            structuredMetadata: { rule: 'repeated', type: 'LabelPairAdapter', id: 3 },
          },
        },
        LabelPairAdapter: {
          fields: { name: { type: 'bytes', id: 1 }, value: { type: 'bytes', id: 2 } },
        },
        Timestamp: {
          fields: { seconds: { type: 'int64', id: 1 }, nanos: { type: 'int32', id: 2 } },
        },
      },
    },
  },
});

/** `logproto.PushRequest` as decoded with `bytes` text fields. */
export interface PushRequestWire {
  streams: Array<{
    labels: Uint8Array;
    entries: Array<{
      timestamp?: { seconds: string; nanos: number };
      line: Uint8Array;
      structuredMetadata: Array<{ name: Uint8Array; value: Uint8Array }>;
    }>;
  }>;
}

const PushRequest = root.lookupType('logproto.PushRequest');

/** Decodes a (decompressed) Loki push body; throws protobufjs' error when it is not one. */
export function decodePushRequest(bytes: Uint8Array): PushRequestWire {
  const message = PushRequest.decode(bytes);
  return PushRequest.toObject(message, {
    longs: String,
    defaults: true,
    arrays: true,
  }) as PushRequestWire;
}
