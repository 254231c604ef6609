import { isUtf8 } from 'node:buffer';
import { type Label } from '@strata/tsdb';
import { RemoteWriteError } from '../src/errors';
import { type PbLabel, type PbText, type PbV1Request, V1Decode, int64ToNumber } from './proto';
import {
  type Exemplar,
  METRIC_TYPES,
  type MetricMetadata,
  type WriteBatch,
  type WriteSeries,
} from '../src/types';
import {
  type ResolvedValidation,
  checkExemplarLabels,
  checkSeriesCount,
  normalizeLabels,
  toSampleArrays,
} from '../src/validate';

const ts = (x: unknown): number => int64ToNumber(x as never);

/** Converts a bytes-typed text field to a string, refusing invalid UTF-8 instead of substituting U+FFFD. */
export function utf8(bytes: PbText | undefined, what: () => string): string {
  if (typeof bytes === 'string') return bytes;
  if (!bytes || bytes.length === 0) return '';
  if (!isUtf8(bytes)) throw new RemoteWriteError('invalid_utf8', `${what()} is not valid UTF-8`);
  const b = Buffer.isBuffer(bytes)
    ? bytes
    : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  return b.toString('utf8');
}

function decodeLabels(seriesIdx: number, pb: PbLabel[], field: string): Label[] {
  const out: Label[] = new Array<Label>(pb.length);
  for (let i = 0; i < pb.length; i++) {
    const name = utf8(pb[i].name, () => `series ${seriesIdx}: ${field} ${i} name`);
    const value = utf8(
      pb[i].value,
      () => `series ${seriesIdx}: value of ${field} ${JSON.stringify(name)}`,
    );
    out[i] = { name, value };
  }
  return out;
}

/**
 * Reference decoder for `prometheus.WriteRequest` using protobufjs reflection; production
 * decoding uses the streaming decoders (fast-decode-v1.ts, fast-decode-v2.ts), checked against this.
 */
export function decodeV1(raw: Uint8Array, o: ResolvedValidation): WriteBatch {
  let req: PbV1Request;
  try {
    req = V1Decode.decode(raw) as unknown as PbV1Request;
  } catch (e) {
    throw new RemoteWriteError(
      'invalid_protobuf',
      `invalid prometheus.WriteRequest: ${(e as Error).message}`,
    );
  }
  checkSeriesCount(req.timeseries.length, o);
  const series: WriteSeries[] = new Array<WriteSeries>(req.timeseries.length);
  for (let i = 0; i < req.timeseries.length; i++) {
    const pb = req.timeseries[i];
    const labels = normalizeLabels(i, decodeLabels(i, pb.labels, 'label'), o);
    if (pb.histograms.length > 0) {
      throw new RemoteWriteError(
        'native_histograms_unsupported',
        `series ${i} ${JSON.stringify(labels.find((l) => l.name === '__name__')?.value)} carries native histograms, which this store does not accept`,
      );
    }
    const { timestamps, values } = toSampleArrays(i, labels, pb.samples, ts, o);
    const exemplars: Exemplar[] = pb.exemplars.map((e, k) => ({
      labels: checkExemplarLabels(i, k, decodeLabels(i, e.labels, 'exemplar label')),
      value: e.value,
      timestamp: int64ToNumber(e.timestamp),
    }));
    series[i] = { labels, timestamps, values, exemplars };
  }
  const metadata: MetricMetadata[] = req.metadata.map((m, i) => ({
    metricFamilyName: utf8(m.metricFamilyName, () => `metadata ${i} metric_family_name`),
    type: METRIC_TYPES[m.type] ?? 'unknown',
    help: utf8(m.help, () => `metadata ${i} help`),
    unit: utf8(m.unit, () => `metadata ${i} unit`),
  }));
  return { series, metadata };
}
