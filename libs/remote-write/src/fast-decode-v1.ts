import { type Label } from '@strata/tsdb';
import { type Reader } from 'protobufjs';
import { NO_EXEMPLARS, finishSeries, readSample, sink, tooManySeries } from './fast-decode-common';
import { type DecodedBatch, type DecodedSeries } from './decoded-series';
import { LabelBlockBuilder, type LabelInjection, NO_INJECTION } from './label-block-builder';
import { type Exemplar, METRIC_TYPES, type MetricMetadata } from './types';
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
  readText,
  readerOf,
} from './wire';

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

// The series' own labels are kept as byte ranges of the body: the block builder validates them and
// writes the label block without making strings.
function readLabelRangesV1(r: Reader, b: LabelBlockBuilder): void {
  const end = delimitedEnd(r);
  let ns = 0;
  let ne = 0;
  let vs = 0;
  let ve = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        expectWire('Label.name', tag & 7, WT_LEN);
        ne = delimitedEnd(r);
        ns = r.pos;
        r.pos = ne;
        break;
      case 2:
        expectWire('Label.value', tag & 7, WT_LEN);
        ve = delimitedEnd(r);
        vs = r.pos;
        r.pos = ve;
        break;
      default:
        r.skipType(tag & 7);
    }
  }
  if (r.pos !== end) invalid('Label overruns its length');
  b.add(ns, ne, vs, ve);
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

function readSeriesV1(
  r: Reader,
  idx: number,
  o: ResolvedValidation,
  b: LabelBlockBuilder,
): DecodedSeries {
  const end = delimitedEnd(r);
  b.begin();
  sink.n = 0;
  let exemplars: Exemplar[] | undefined;
  let histograms = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        expectWire('TimeSeries.labels', tag & 7, WT_LEN);
        readLabelRangesV1(r, b);
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
  const start = b.finish(r.buf as Buffer, idx, false);
  return finishSeries(idx, b, start, histograms, exemplars ?? NO_EXEMPLARS, o);
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

/**
 * Decodes and validates an uncompressed `prometheus.WriteRequest`; every series gets the
 * injected labels (the tenant's) in its label block.
 */
export function fastDecodeV1(
  buf: Buffer,
  o: ResolvedValidation,
  injection: LabelInjection = NO_INJECTION,
): DecodedBatch {
  return guarded(() => {
    const r = readerOf(buf);
    const b = new LabelBlockBuilder(o, injection, buf.length);
    const series: DecodedSeries[] = [];
    const metadata: MetricMetadata[] = [];
    while (r.pos < r.len) {
      const tag = r.uint32();
      const f = tag >>> 3;
      if (f === 1) {
        expectWire('WriteRequest.timeseries', tag & 7, WT_LEN);
        if (series.length >= o.maxSeriesPerRequest) tooManySeries(o);
        series.push(readSeriesV1(r, series.length, o, b));
      } else if (f === 3) {
        expectWire('WriteRequest.metadata', tag & 7, WT_LEN);
        metadata.push(readMetadataV1(r, metadata.length));
      } else r.skipType(tag & 7);
    }
    return { series, metadata };
  });
}
