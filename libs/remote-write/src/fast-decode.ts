import { type Label, type Labels } from '@strata/tsdb';
import { type Reader } from 'protobufjs';
import { RemoteWriteError } from './errors';
import { type Exemplar, METRIC_TYPES, type MetricMetadata, type SeriesMetadata, type WriteBatch, type WriteSeries } from './types';
import { type ResolvedValidation, checkExemplarLabels, describeSeries, normalizeLabels } from './validate';
import { WT_I64, WT_LEN, WT_VARINT, delimitedEnd, expectWire, guarded, invalid, readInt64, readText, readUint32s, readerOf } from './wire';

// Streaming decoders for the two request messages: they read protobuf fields with protobufjs'
// Reader straight into the normalized batch, skipping the intermediate message objects the
// reflection decoder (decode-v1.ts / decode-v2.ts, kept as the reference) would allocate.

interface SampleSink {
  ts: number[];
  vs: number[];
}

// Samples are staged in reused arrays and copied into right-sized typed arrays per series, so
// a decode allocates nothing per sample.
const sink: SampleSink = { ts: [], vs: [] };
const NO_EXEMPLARS: readonly Exemplar[] = Object.freeze([]);

function readSample(r: Reader): void {
  const end = delimitedEnd(r);
  let v = 0;
  let t = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        expectWire('Sample.value', tag & 7, WT_I64);
        v = r.double();
        break;
      case 2:
        expectWire('Sample.timestamp', tag & 7, WT_VARINT);
        t = readInt64(r);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (r.pos !== end) invalid('Sample overruns its length');
  sink.ts.push(t);
  sink.vs.push(v);
}

function finishSeries(
  idx: number,
  labels: Labels,
  histograms: number,
  exemplars: readonly Exemplar[],
  o: ResolvedValidation,
): { labels: Labels; timestamps: Float64Array; values: Float64Array; exemplars: readonly Exemplar[] } {
  if (histograms > 0) {
    const name = labels.find((l) => l.name === '__name__')?.value ?? '';
    throw new RemoteWriteError('native_histograms_unsupported', `series ${idx} ${JSON.stringify(name)} carries native histograms, which this store does not accept`);
  }
  const n = sink.ts.length;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (sink.ts[i] === 0 && o.rejectZeroTimestamps) {
      throw new RemoteWriteError('missing_timestamp', `${describeSeries(idx, labels)}: sample ${i} has no timestamp`);
    }
    timestamps[i] = sink.ts[i];
    values[i] = sink.vs[i];
  }
  return { labels, timestamps, values, exemplars };
}

function tooManySeries(o: ResolvedValidation): never {
  throw new RemoteWriteError('too_many_series', `request has more than the limit of ${o.maxSeriesPerRequest} series`);
}

// ---- remote write 1.0 -------------------------------------------------------------------

function readLabelV1(r: Reader, idx: number, out: Label[]): void {
  const end = delimitedEnd(r);
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        expectWire('Label.name', tag & 7, WT_LEN);
        name = readText(r, 'label name', idx, true);
        break;
      case 2:
        expectWire('Label.value', tag & 7, WT_LEN);
        value = readText(r, 'label value', idx);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (r.pos !== end) invalid('Label overruns its length');
  out.push({ name, value });
}

function readExemplarV1(r: Reader, idx: number, out: Exemplar[]): void {
  const end = delimitedEnd(r);
  const labels: Label[] = [];
  let value = 0;
  let timestamp = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        expectWire('Exemplar.labels', tag & 7, WT_LEN);
        readLabelV1(r, idx, labels);
        break;
      case 2:
        expectWire('Exemplar.value', tag & 7, WT_I64);
        value = r.double();
        break;
      case 3:
        expectWire('Exemplar.timestamp', tag & 7, WT_VARINT);
        timestamp = readInt64(r);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  out.push({ labels: checkExemplarLabels(idx, out.length, labels), value, timestamp });
}

function readSeriesV1(r: Reader, idx: number, o: ResolvedValidation): WriteSeries {
  const end = delimitedEnd(r);
  const raw: Label[] = [];
  sink.ts.length = 0;
  sink.vs.length = 0;
  let exemplars: Exemplar[] | undefined;
  let histograms = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        expectWire('TimeSeries.labels', tag & 7, WT_LEN);
        readLabelV1(r, idx, raw);
        break;
      case 2:
        expectWire('TimeSeries.samples', tag & 7, WT_LEN);
        readSample(r);
        break;
      case 3:
        expectWire('TimeSeries.exemplars', tag & 7, WT_LEN);
        readExemplarV1(r, idx, (exemplars ??= []));
        break;
      case 4:
        histograms++;
        r.skipType(tag & 7);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (r.pos !== end) invalid('TimeSeries overruns its length');
  return finishSeries(idx, normalizeLabels(idx, raw, o), histograms, exemplars ?? NO_EXEMPLARS, o);
}

function readMetadataV1(r: Reader, idx: number): MetricMetadata {
  const end = delimitedEnd(r);
  let type = 0;
  let metricFamilyName = '';
  let help = '';
  let unit = '';
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === 1) {
      expectWire('MetricMetadata.type', tag & 7, WT_VARINT);
      type = r.uint32();
    } else if (f === 2 || f === 4 || f === 5) {
      expectWire('MetricMetadata text', tag & 7, WT_LEN);
      const s = readText(r, 'metadata text', idx);
      if (f === 2) metricFamilyName = s;
      else if (f === 4) help = s;
      else unit = s;
    } else r.skipType(tag & 7);
  }
  return { metricFamilyName, type: METRIC_TYPES[type] ?? 'unknown', help, unit };
}

/** Decodes and validates an uncompressed `prometheus.WriteRequest`. */
export function fastDecodeV1(buf: Buffer, o: ResolvedValidation): WriteBatch {
  return guarded(() => {
    const r = readerOf(buf);
    const series: WriteSeries[] = [];
    const metadata: MetricMetadata[] = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      const f = tag >>> 3;
      if (f === 1) {
        expectWire('WriteRequest.timeseries', tag & 7, WT_LEN);
        if (series.length >= o.maxSeriesPerRequest) tooManySeries(o);
        series.push(readSeriesV1(r, series.length, o));
      } else if (f === 3) {
        expectWire('WriteRequest.metadata', tag & 7, WT_LEN);
        metadata.push(readMetadataV1(r, metadata.length));
      } else r.skipType(tag & 7);
    }
    return { series, metadata };
  });
}

// ---- remote write 2.0 -------------------------------------------------------------------

// `exemplar` is -1 for the series' own labels; context travels as numbers, not closures.
function resolve(symbols: readonly string[], refs: readonly number[], idx: number, exemplar: number): Label[] {
  if (refs.length % 2 !== 0) {
    throw new RemoteWriteError('odd_label_refs', `${where(idx, exemplar)}: labels_refs has odd length ${refs.length}`);
  }
  const out: Label[] = new Array<Label>(refs.length / 2);
  for (let i = 0; i < refs.length; i += 2) {
    out[i / 2] = { name: symbol(symbols, refs[i], idx, exemplar), value: symbol(symbols, refs[i + 1], idx, exemplar) };
  }
  return out;
}

function where(idx: number, exemplar: number, field = ''): string {
  return `series ${idx}${exemplar >= 0 ? ` exemplar ${exemplar}` : ''}${field}`;
}

function symbol(symbols: readonly string[], ref: number, idx: number, exemplar: number, field = ''): string {
  if (ref >= symbols.length) {
    throw new RemoteWriteError('symbol_ref_out_of_range', `${where(idx, exemplar, field)}: symbol ref ${ref} out of range (symbols table has ${symbols.length} entries)`);
  }
  return symbols[ref];
}

function readExemplarV2(r: Reader, symbols: readonly string[], idx: number, out: Exemplar[]): void {
  const end = delimitedEnd(r);
  const refs: number[] = [];
  let value = 0;
  let timestamp = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        readUint32s(r, tag & 7, refs);
        break;
      case 2:
        expectWire('Exemplar.value', tag & 7, WT_I64);
        value = r.double();
        break;
      case 3:
        expectWire('Exemplar.timestamp', tag & 7, WT_VARINT);
        timestamp = readInt64(r);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  const k = out.length;
  out.push({ labels: checkExemplarLabels(idx, k, resolve(symbols, refs, idx, k)), value, timestamp });
}

function readMetadataV2(r: Reader, symbols: readonly string[], idx: number): SeriesMetadata | undefined {
  const end = delimitedEnd(r);
  let type = 0;
  let helpRef = 0;
  let unitRef = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === 1 || f === 3 || f === 4) {
      expectWire('Metadata field', tag & 7, WT_VARINT);
      const v = r.uint32();
      if (f === 1) type = v;
      else if (f === 3) helpRef = v;
      else unitRef = v;
    } else r.skipType(tag & 7);
  }
  if (type === 0 && helpRef === 0 && unitRef === 0) return undefined;
  return {
    type: METRIC_TYPES[type] ?? 'unknown',
    help: symbol(symbols, helpRef, idx, -1, ' metadata help_ref'),
    unit: symbol(symbols, unitRef, idx, -1, ' metadata unit_ref'),
  };
}

function readSeriesV2(r: Reader, symbols: readonly string[], idx: number, o: ResolvedValidation, families: Map<string, MetricMetadata>): WriteSeries {
  const end = delimitedEnd(r);
  const refs: number[] = [];
  sink.ts.length = 0;
  sink.vs.length = 0;
  let exemplars: Exemplar[] | undefined;
  let histograms = 0;
  let metadata: SeriesMetadata | undefined;
  let created = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        readUint32s(r, tag & 7, refs);
        break;
      case 2:
        expectWire('TimeSeries.samples', tag & 7, WT_LEN);
        readSample(r);
        break;
      case 3:
        histograms++;
        r.skipType(tag & 7);
        break;
      case 4:
        expectWire('TimeSeries.exemplars', tag & 7, WT_LEN);
        readExemplarV2(r, symbols, idx, (exemplars ??= []));
        break;
      case 5:
        expectWire('TimeSeries.metadata', tag & 7, WT_LEN);
        metadata = readMetadataV2(r, symbols, idx);
        break;
      case 6:
        expectWire('TimeSeries.created_timestamp', tag & 7, WT_VARINT);
        created = readInt64(r);
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (r.pos !== end) invalid('TimeSeries overruns its length');
  const labels = normalizeLabels(idx, resolve(symbols, refs, idx, -1), o);
  const base = finishSeries(idx, labels, histograms, exemplars ?? NO_EXEMPLARS, o);
  if (!metadata && created === 0) return base;
  if (metadata) {
    const name = labels.find((l) => l.name === '__name__')?.value ?? '';
    if (!families.has(name)) families.set(name, { metricFamilyName: name, ...metadata });
  }
  return created !== 0 ? { ...base, metadata, createdTimestamp: created } : { ...base, metadata };
}

/** Decodes and validates an uncompressed `io.prometheus.write.v2.Request`. */
export function fastDecodeV2(buf: Buffer, o: ResolvedValidation): WriteBatch {
  return guarded(() => {
    // Symbols may legally follow the series on the wire, so collect them first and remember
    // where each series starts.
    const r = readerOf(buf);
    const symbols: string[] = [];
    const starts: number[] = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      const f = tag >>> 3;
      if (f === 4) {
        expectWire('Request.symbols', tag & 7, WT_LEN);
        const i = symbols.length;
        symbols.push(readText(r, 'symbol', i));
      } else if (f === 5) {
        expectWire('Request.timeseries', tag & 7, WT_LEN);
        if (starts.length >= o.maxSeriesPerRequest) tooManySeries(o);
        starts.push(r.pos);
        r.pos = delimitedEnd(r);
      } else r.skipType(tag & 7);
    }
    if (symbols.length > 0 && symbols[0] !== '') throw new RemoteWriteError('invalid_symbols_table', 'symbols[0] must be the empty string');
    const families = new Map<string, MetricMetadata>();
    const series: WriteSeries[] = new Array<WriteSeries>(starts.length);
    for (let i = 0; i < starts.length; i++) {
      r.pos = starts[i];
      series[i] = readSeriesV2(r, symbols, i, o, families);
    }
    return { series, metadata: [...families.values()] };
  });
}
