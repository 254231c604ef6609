import { type Label, type Labels } from '@strata/tsdb';
import { utf8 } from './reference-decode-v1';
import { RemoteWriteError } from '../src/errors';
import { type PbV2Request, V2Decode, int64ToNumber } from './proto';
import {
  type Exemplar,
  METRIC_TYPES,
  type MetricMetadata,
  type SeriesMetadata,
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

function resolveRefs(
  symbols: readonly string[],
  refs: readonly number[],
  where: () => string,
): Label[] {
  if (refs.length % 2 !== 0)
    throw new RemoteWriteError(
      'odd_label_refs',
      `${where()}: labels_refs has odd length ${refs.length}`,
    );
  const out: Label[] = new Array<Label>(refs.length / 2);
  for (let i = 0; i < refs.length; i += 2) {
    out[i / 2] = {
      name: symbol(symbols, refs[i], where),
      value: symbol(symbols, refs[i + 1], where),
    };
  }
  return out;
}

function symbol(symbols: readonly string[], ref: number, where: () => string): string {
  if (ref >= symbols.length) {
    throw new RemoteWriteError(
      'symbol_ref_out_of_range',
      `${where()}: symbol ref ${ref} out of range (symbols table has ${symbols.length} entries)`,
    );
  }
  return symbols[ref];
}

function metricName(labels: Labels): string {
  for (const l of labels) if (l.name === '__name__') return l.value;
  return '';
}

/**
 * Reference decoder for `io.prometheus.write.v2.Request` using protobufjs reflection; see
 * {@link decodeV1} for how it relates to the streaming decoder.
 */
export function decodeV2(raw: Uint8Array, o: ResolvedValidation): WriteBatch {
  let req: PbV2Request;
  try {
    req = V2Decode.decode(raw) as unknown as PbV2Request;
  } catch (e) {
    throw new RemoteWriteError(
      'invalid_protobuf',
      `invalid io.prometheus.write.v2.Request: ${(e as Error).message}`,
    );
  }
  checkSeriesCount(req.timeseries.length, o);
  if (req.symbols.length > 0 && req.symbols[0].length !== 0) {
    throw new RemoteWriteError('invalid_symbols_table', 'symbols[0] must be the empty string');
  }
  const symbols = req.symbols.map((b, i) => utf8(b, () => `symbols[${i}]`));
  const series: WriteSeries[] = new Array<WriteSeries>(req.timeseries.length);
  const families = new Map<string, MetricMetadata>();
  for (let i = 0; i < req.timeseries.length; i++) {
    const pb = req.timeseries[i];
    const where = (): string => `series ${i}`;
    const labels = normalizeLabels(i, resolveRefs(symbols, pb.labelsRefs, where), o);
    if (pb.histograms.length > 0) {
      throw new RemoteWriteError(
        'native_histograms_unsupported',
        `series ${i} ${JSON.stringify(metricName(labels))} carries native histograms, which this store does not accept`,
      );
    }
    const { timestamps, values } = toSampleArrays(i, labels, pb.samples, ts, o);
    const exemplars: Exemplar[] = pb.exemplars.map((e, k) => ({
      labels: checkExemplarLabels(
        i,
        k,
        resolveRefs(symbols, e.labelsRefs, () => `series ${i} exemplar ${k}`),
      ),
      value: e.value,
      timestamp: int64ToNumber(e.timestamp),
    }));
    let metadata: SeriesMetadata | undefined;
    const m = pb.metadata;
    if (m && (m.type !== 0 || m.helpRef !== 0 || m.unitRef !== 0)) {
      metadata = {
        type: METRIC_TYPES[m.type] ?? 'unknown',
        help: symbol(symbols, m.helpRef, () => `series ${i} metadata help_ref`),
        unit: symbol(symbols, m.unitRef, () => `series ${i} metadata unit_ref`),
      };
      const name = metricName(labels);
      if (!families.has(name)) families.set(name, { metricFamilyName: name, ...metadata });
    }
    const created = int64ToNumber(pb.createdTimestamp);
    series[i] =
      created !== 0
        ? { labels, timestamps, values, exemplars, metadata, createdTimestamp: created }
        : { labels, timestamps, values, exemplars, metadata };
  }
  return { series, metadata: [...families.values()] };
}
