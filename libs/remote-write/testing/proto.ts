import { type Root as RootT, type Type } from 'protobufjs';

import * as protobuf from 'protobufjs';

// Schemas of prompb/types.proto (remote write 1.0) and prompb/io/prometheus/write/v2/types.proto,
// written as protobufjs JSON descriptors so no code generation step is needed. Text fields are
// declared `bytes` for the reference decoders (wire-identical to `string`) so invalid UTF-8 is
// rejected instead of silently becoming U+FFFD; the encoders use `string`.
function buildRoot(text: 'string' | 'bytes'): RootT {
  const histogram = {
    oneofs: {
      count: { oneof: ['countInt', 'countFloat'] },
      zeroCount: { oneof: ['zeroCountInt', 'zeroCountFloat'] },
    },
    fields: {
      countInt: { type: 'uint64', id: 1 },
      countFloat: { type: 'double', id: 2 },
      sum: { type: 'double', id: 3 },
      schema: { type: 'sint32', id: 4 },
      zeroThreshold: { type: 'double', id: 5 },
      zeroCountInt: { type: 'uint64', id: 6 },
      zeroCountFloat: { type: 'double', id: 7 },
      negativeSpans: { rule: 'repeated', type: 'BucketSpan', id: 8 },
      negativeDeltas: { rule: 'repeated', type: 'sint64', id: 9 },
      negativeCounts: { rule: 'repeated', type: 'double', id: 10 },
      positiveSpans: { rule: 'repeated', type: 'BucketSpan', id: 11 },
      positiveDeltas: { rule: 'repeated', type: 'sint64', id: 12 },
      positiveCounts: { rule: 'repeated', type: 'double', id: 13 },
      resetHint: { type: 'int32', id: 14 },
      timestamp: { type: 'int64', id: 15 },
      customValues: { rule: 'repeated', type: 'double', id: 16 },
    },
  };
  const bucketSpan = {
    fields: { offset: { type: 'sint32', id: 1 }, length: { type: 'uint32', id: 2 } },
  };
  const sample = {
    fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } },
  };
  return protobuf.Root.fromJSON({
    nested: {
      prometheus: {
        nested: {
          WriteRequest: {
            fields: {
              timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 },
              metadata: { rule: 'repeated', type: 'MetricMetadata', id: 3 },
            },
            reserved: [[2, 2]],
          },
          MetricMetadata: {
            fields: {
              type: { type: 'int32', id: 1 },
              metricFamilyName: { type: text, id: 2 },
              help: { type: text, id: 4 },
              unit: { type: text, id: 5 },
            },
          },
          Sample: sample,
          Exemplar: {
            fields: {
              labels: { rule: 'repeated', type: 'Label', id: 1 },
              value: { type: 'double', id: 2 },
              timestamp: { type: 'int64', id: 3 },
            },
          },
          Histogram: histogram,
          BucketSpan: bucketSpan,
          TimeSeries: {
            fields: {
              labels: { rule: 'repeated', type: 'Label', id: 1 },
              samples: { rule: 'repeated', type: 'Sample', id: 2 },
              exemplars: { rule: 'repeated', type: 'Exemplar', id: 3 },
              histograms: { rule: 'repeated', type: 'Histogram', id: 4 },
            },
          },
          Label: { fields: { name: { type: text, id: 1 }, value: { type: text, id: 2 } } },
        },
      },
      io: {
        nested: {
          prometheus: {
            nested: {
              write: {
                nested: {
                  v2: {
                    nested: {
                      Request: {
                        fields: {
                          symbols: { rule: 'repeated', type: text, id: 4 },
                          timeseries: { rule: 'repeated', type: 'TimeSeries', id: 5 },
                        },
                        reserved: [[1, 3]],
                      },
                      TimeSeries: {
                        fields: {
                          labelsRefs: { rule: 'repeated', type: 'uint32', id: 1 },
                          samples: { rule: 'repeated', type: 'Sample', id: 2 },
                          histograms: { rule: 'repeated', type: 'Histogram', id: 3 },
                          exemplars: { rule: 'repeated', type: 'Exemplar', id: 4 },
                          metadata: { type: 'Metadata', id: 5 },
                          createdTimestamp: { type: 'int64', id: 6 },
                        },
                      },
                      Exemplar: {
                        fields: {
                          labelsRefs: { rule: 'repeated', type: 'uint32', id: 1 },
                          value: { type: 'double', id: 2 },
                          timestamp: { type: 'int64', id: 3 },
                        },
                      },
                      Sample: sample,
                      Metadata: {
                        fields: {
                          type: { type: 'int32', id: 1 },
                          helpRef: { type: 'uint32', id: 3 },
                          unitRef: { type: 'uint32', id: 4 },
                        },
                      },
                      Histogram: histogram,
                      BucketSpan: bucketSpan,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  });
}

const decodeRoot = buildRoot('bytes');
const encodeRoot = buildRoot('string');

/** protobufjs decodes int64 as a Long when the `long` package is present, else as a number. */
export type Int64 = number | { low: number; high: number };

/** Converts a decoded int64 to a number (exact below 2^53, which covers ms timestamps). */
export function int64ToNumber(x: Int64 | null | undefined): number {
  if (x === null || x === undefined) return 0;
  if (typeof x === 'number') return x;
  return x.high * 4294967296 + (x.low >>> 0);
}

/** Text as decoded: a string by the fast schema, raw bytes by the strict one. */
export type PbText = string | Uint8Array;
/** Decoded `Label` (only the fields we read, as are the shapes below). */
export interface PbLabel {
  name: PbText;
  value: PbText;
}
/** Decoded `Sample` (both protocols). */
export interface PbSample {
  value: number;
  timestamp: Int64;
}
/** Decoded 1.0 `Exemplar`. */
export interface PbV1Exemplar {
  labels: PbLabel[];
  value: number;
  timestamp: Int64;
}
/** Decoded 1.0 `TimeSeries`. */
export interface PbV1Series {
  labels: PbLabel[];
  samples: PbSample[];
  exemplars: PbV1Exemplar[];
  histograms: unknown[];
}
/** Decoded 1.0 `MetricMetadata`. */
export interface PbV1Metadata {
  type: number;
  metricFamilyName: PbText;
  help: PbText;
  unit: PbText;
}
/** Decoded 1.0 `WriteRequest`. */
export interface PbV1Request {
  timeseries: PbV1Series[];
  metadata: PbV1Metadata[];
}
/** Decoded 2.0 `Exemplar`. */
export interface PbV2Exemplar {
  labelsRefs: number[];
  value: number;
  timestamp: Int64;
}
/** Decoded 2.0 `TimeSeries`. */
export interface PbV2Series {
  labelsRefs: number[];
  samples: PbSample[];
  histograms: unknown[];
  exemplars: PbV2Exemplar[];
  metadata?: { type: number; helpRef: number; unitRef: number } | null;
  createdTimestamp: Int64;
}
/** Decoded 2.0 `Request`. */
export interface PbV2Request {
  symbols: PbText[];
  timeseries: PbV2Series[];
}

/** Strict decoder for `prometheus.WriteRequest` yielding raw bytes for text fields. */
export const V1Decode: Type = decodeRoot.lookupType('prometheus.WriteRequest');
/** Strict decoder for `io.prometheus.write.v2.Request` yielding raw bytes for text fields. */
export const V2Decode: Type = decodeRoot.lookupType('io.prometheus.write.v2.Request');
/** Encoder type for `prometheus.WriteRequest`. */
export const V1Encode: Type = encodeRoot.lookupType('prometheus.WriteRequest');
/** Encoder type for `io.prometheus.write.v2.Request`. */
export const V2Encode: Type = encodeRoot.lookupType('io.prometheus.write.v2.Request');
