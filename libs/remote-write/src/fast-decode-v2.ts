import { isUtf8 } from 'node:buffer';
import { type Label } from '@strata/tsdb';
import { type Reader } from 'protobufjs';
import { RemoteWriteError } from './errors';
import { NO_EXEMPLARS, finishSeries, readSample, sink, tooManySeries } from './fast-decode-common';
import { type DecodedBatch, type DecodedSeries } from './decoded-series';
import { LabelBlockBuilder, type LabelInjection, NO_INJECTION } from './label-block-builder';
import { type Exemplar, METRIC_TYPES, type MetricMetadata, type SeriesMetadata } from './types';
import { type ResolvedValidation, checkExemplarLabels } from './validate';
import {
  WT_I64,
  WT_LEN,
  WT_VARINT,
  delimitedEnd,
  expectWire,
  guarded,
  invalid,
  readInt64,
  readUint32s,
  readerOf,
} from './wire';

/**
 * The request's symbols as byte ranges of the body, checked for UTF-8 once: series labels are
 * copied into label blocks from here as bytes; strings are made only for exemplars and metadata.
 */
class SymbolTable {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  private readonly texts: Array<string | undefined> = [];

  constructor(readonly buf: Buffer) {}

  get length(): number {
    return this.starts.length;
  }

  add(r: Reader): void {
    const end = delimitedEnd(r);
    const start = r.pos;
    r.pos = end;
    for (let i = start; i < end; i++) {
      if (this.buf[i] < 0x80) continue;
      if (!isUtf8(this.buf.subarray(start, end))) {
        const text = this.buf.toString('utf8', start, Math.min(end, start + 256)).slice(0, 64);
        throw new RemoteWriteError(
          'invalid_utf8',
          `symbols[${this.starts.length}] ${JSON.stringify(text)} is not valid UTF-8`,
        );
      }
      break;
    }
    this.starts.push(start);
    this.ends.push(end);
  }

  text(ref: number): string {
    return (this.texts[ref] ??= this.buf.toString('utf8', this.starts[ref], this.ends[ref]));
  }

  isEmpty(ref: number): boolean {
    return this.starts[ref] === this.ends[ref];
  }
}

function checkRefs(
  symbols: SymbolTable,
  refs: readonly number[],
  idx: number,
  exemplar: number,
): void {
  if (refs.length % 2 !== 0) {
    throw new RemoteWriteError(
      'odd_label_refs',
      `${where(idx, exemplar)}: labels_refs has odd length ${refs.length}`,
    );
  }
  for (let i = 0; i < refs.length; i++) checkRef(symbols, refs[i], idx, exemplar);
}

function checkRef(
  symbols: SymbolTable,
  ref: number,
  idx: number,
  exemplar: number,
  field = '',
): void {
  if (ref >= symbols.length) {
    throw new RemoteWriteError(
      'symbol_ref_out_of_range',
      `${where(idx, exemplar, field)}: symbol ref ${ref} out of range (symbols table has ${symbols.length} entries)`,
    );
  }
}

// `exemplar` is -1 for the series' own labels; context travels as numbers, not closures.
function resolve(
  symbols: SymbolTable,
  refs: readonly number[],
  idx: number,
  exemplar: number,
): Label[] {
  checkRefs(symbols, refs, idx, exemplar);
  const out: Label[] = new Array<Label>(refs.length / 2);
  for (let i = 0; i < refs.length; i += 2)
    out[i / 2] = { name: symbols.text(refs[i]), value: symbols.text(refs[i + 1]) };
  return out;
}

function where(idx: number, exemplar: number, field = ''): string {
  return `series ${idx}${exemplar >= 0 ? ` exemplar ${exemplar}` : ''}${field}`;
}

function symbol(
  symbols: SymbolTable,
  ref: number,
  idx: number,
  exemplar: number,
  field = '',
): string {
  checkRef(symbols, ref, idx, exemplar, field);
  return symbols.text(ref);
}

function readExemplarV2(r: Reader, symbols: SymbolTable, idx: number, out: Exemplar[]): void {
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

function readMetadataV2(r: Reader, symbols: SymbolTable, idx: number): SeriesMetadata | undefined {
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
  symbols: SymbolTable,
  idx: number,
  o: ResolvedValidation,
  families: Map<string, MetricMetadata>,
  b: LabelBlockBuilder,
  refs: number[],
): DecodedSeries {
  const end = delimitedEnd(r);
  refs.length = 0;
  sink.n = 0;
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
  checkRefs(symbols, refs, idx, -1);
  b.begin();
  let nameRef = -1;
  for (let i = 0; i < refs.length; i += 2) {
    const n = refs[i];
    const v = refs[i + 1];
    b.add(symbols.starts[n], symbols.ends[n], symbols.starts[v], symbols.ends[v]);
    if (symbols.text(n) === '__name__') nameRef = v;
  }
  const start = b.finish(symbols.buf, idx, true);
  const series = finishSeries(
    idx,
    b,
    start,
    histograms,
    exemplars ?? NO_EXEMPLARS,
    o,
    created !== 0 ? created : undefined,
    metadata,
  );
  if (metadata) {
    const name = nameRef >= 0 ? symbols.text(nameRef) : '';
    if (!families.has(name)) families.set(name, { metricFamilyName: name, ...metadata });
  }
  return series;
}

/**
 * Decodes and validates an uncompressed `io.prometheus.write.v2.Request`; every series gets the
 * injected labels (the tenant's) in its label block.
 */
export function fastDecodeV2(
  buf: Buffer,
  o: ResolvedValidation,
  injection: LabelInjection = NO_INJECTION,
): DecodedBatch {
  return guarded(() => {
    // Symbols may legally follow the series on the wire, so collect them first and remember
    // where each series starts.
    const r = readerOf(buf);
    const symbols = new SymbolTable(buf);
    const starts: number[] = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      const f = tag >>> 3;
      if (f === 4) {
        expectWire('Request.symbols', tag & 7, WT_LEN);
        symbols.add(r);
      } else if (f === 5) {
        expectWire('Request.timeseries', tag & 7, WT_LEN);
        if (starts.length >= o.maxSeriesPerRequest) tooManySeries(o);
        starts.push(r.pos);
        r.pos = delimitedEnd(r);
      } else r.skipType(tag & 7);
    }
    if (symbols.length > 0 && !symbols.isEmpty(0))
      throw new RemoteWriteError('invalid_symbols_table', 'symbols[0] must be the empty string');
    const families = new Map<string, MetricMetadata>();
    const b = new LabelBlockBuilder(o, injection, buf.length);
    const refs: number[] = [];
    const series: DecodedSeries[] = new Array<DecodedSeries>(starts.length);
    for (let i = 0; i < starts.length; i++) {
      r.pos = starts[i];
      series[i] = readSeriesV2(r, symbols, i, o, families, b, refs);
    }
    return { series, metadata: [...families.values()] };
  });
}
