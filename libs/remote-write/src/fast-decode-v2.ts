import { type Label } from '@strata/tsdb';
import { type Reader } from 'protobufjs';
import { RemoteWriteError } from './errors';
import { NO_EXEMPLARS, finishSeries, readSample, sink, tooManySeries } from './fast-decode-common';
import {
  type Exemplar,
  METRIC_TYPES,
  type MetricMetadata,
  type SeriesMetadata,
  type WriteBatch,
  type WriteSeries,
} from './types';
import { type ResolvedValidation, checkExemplarLabels, normalizeLabels } from './validate';
import {
  WT_I64,
  WT_LEN,
  WT_VARINT,
  delimitedEnd,
  expectWire,
  guarded,
  invalid,
  readInt64,
  readText,
  readUint32s,
  readerOf,
} from './wire';

// `exemplar` is -1 for the series' own labels; context travels as numbers, not closures.
function resolve(
  symbols: readonly string[],
  refs: readonly number[],
  idx: number,
  exemplar: number,
): Label[] {
  if (refs.length % 2 !== 0) {
    throw new RemoteWriteError(
      'odd_label_refs',
      `${where(idx, exemplar)}: labels_refs has odd length ${refs.length}`,
    );
  }
  const out: Label[] = new Array<Label>(refs.length / 2);
  for (let i = 0; i < refs.length; i += 2) {
    out[i / 2] = {
      name: symbol(symbols, refs[i], idx, exemplar),
      value: symbol(symbols, refs[i + 1], idx, exemplar),
    };
  }
  return out;
}

function where(idx: number, exemplar: number, field = ''): string {
  return `series ${idx}${exemplar >= 0 ? ` exemplar ${exemplar}` : ''}${field}`;
}

function symbol(
  symbols: readonly string[],
  ref: number,
  idx: number,
  exemplar: number,
  field = '',
): string {
  if (ref >= symbols.length) {
    throw new RemoteWriteError(
      'symbol_ref_out_of_range',
      `${where(idx, exemplar, field)}: symbol ref ${ref} out of range (symbols table has ${symbols.length} entries)`,
    );
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
  out.push({
    labels: checkExemplarLabels(idx, k, resolve(symbols, refs, idx, k)),
    value,
    timestamp,
  });
}

function readMetadataV2(
  r: Reader,
  symbols: readonly string[],
  idx: number,
): SeriesMetadata | undefined {
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

function readSeriesV2(
  r: Reader,
  symbols: readonly string[],
  idx: number,
  o: ResolvedValidation,
  families: Map<string, MetricMetadata>,
): WriteSeries {
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
    if (symbols.length > 0 && symbols[0] !== '')
      throw new RemoteWriteError('invalid_symbols_table', 'symbols[0] must be the empty string');
    const families = new Map<string, MetricMetadata>();
    const series: WriteSeries[] = new Array<WriteSeries>(starts.length);
    for (let i = 0; i < starts.length; i++) {
      r.pos = starts[i];
      series[i] = readSeriesV2(r, symbols, i, o, families);
    }
    return { series, metadata: [...families.values()] };
  });
}
