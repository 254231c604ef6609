import { type Labels } from '@strata/tsdb';
import { V1Encode, V2Encode } from './proto';
import { compressBlock } from '../src/snappy';
import {
  METRIC_TYPES,
  type MetricMetadata,
  type SeriesMetadata,
  type WriteBatch,
} from '../src/types';

function samplesOf(s: {
  timestamps: Float64Array;
  values: Float64Array;
}): Array<{ value: number; timestamp: number }> {
  const out = new Array<{ value: number; timestamp: number }>(s.values.length);
  for (let i = 0; i < s.values.length; i++)
    out[i] = { value: s.values[i], timestamp: s.timestamps[i] };
  return out;
}

const typeId = (t: SeriesMetadata['type']): number => METRIC_TYPES.indexOf(t);

/** Uncompressed `prometheus.WriteRequest` bytes for a batch (histograms are never present). */
export function marshalWriteRequestV1(batch: WriteBatch): Uint8Array {
  const msg = {
    timeseries: batch.series.map((s) => ({
      labels: s.labels,
      samples: samplesOf(s),
      exemplars: s.exemplars.map((e) => ({
        labels: e.labels,
        value: e.value,
        timestamp: e.timestamp,
      })),
    })),
    metadata: batch.metadata.map((m) => ({
      type: typeId(m.type),
      metricFamilyName: m.metricFamilyName,
      help: m.help,
      unit: m.unit,
    })),
  };
  return V1Encode.encode(msg).finish();
}

/** Encodes a batch as a snappy-compressed remote write 1.0 body. */
export function encodeWriteRequestV1(batch: WriteBatch): Buffer {
  return compressBlock(marshalWriteRequestV1(batch));
}

/** Uncompressed `io.prometheus.write.v2.Request` bytes; family metadata fills in for series without their own. */
export function marshalWriteRequestV2(batch: WriteBatch): Uint8Array {
  const symbols: string[] = [''];
  const index = new Map<string, number>([['', 0]]);
  const ref = (s: string): number => {
    let r = index.get(s);
    if (r === undefined) {
      r = symbols.length;
      symbols.push(s);
      index.set(s, r);
    }
    return r;
  };
  const refs = (labels: Labels): number[] => {
    const out: number[] = [];
    for (const l of labels) out.push(ref(l.name), ref(l.value));
    return out;
  };
  const families = new Map<string, MetricMetadata>(
    batch.metadata.map((m) => [m.metricFamilyName, m]),
  );
  const timeseries = batch.series.map((s) => {
    const name = s.labels.find((l) => l.name === '__name__')?.value ?? '';
    const md = s.metadata ?? families.get(name);
    return {
      labelsRefs: refs(s.labels),
      samples: samplesOf(s),
      exemplars: s.exemplars.map((e) => ({
        labelsRefs: refs(e.labels),
        value: e.value,
        timestamp: e.timestamp,
      })),
      metadata: md
        ? { type: typeId(md.type), helpRef: ref(md.help), unitRef: ref(md.unit) }
        : undefined,
      createdTimestamp: s.createdTimestamp ?? 0,
    };
  });
  return V2Encode.encode({ symbols, timeseries }).finish();
}

/** Encodes a batch as a snappy-compressed remote write 2.0 body. */
export function encodeWriteRequestV2(batch: WriteBatch): Buffer {
  return compressBlock(marshalWriteRequestV2(batch));
}
