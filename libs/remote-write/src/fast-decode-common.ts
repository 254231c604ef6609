import { decodeLabelBlock, xxh64Into } from '@strata/tsdb';
import { type Reader } from 'protobufjs';
import { RemoteWriteError } from './errors';
import { DecodedSeries } from './decoded-series';
import { type LabelBlockBuilder } from './label-block-builder';
import { type Exemplar, type SeriesMetadata } from './types';
import { type ResolvedValidation, describeSeries } from './validate';
import { WT_I64, WT_VARINT, delimitedEnd, expectWire, invalid, readInt64 } from './wire';

// Streaming decoders for the two request messages: they read protobuf fields with protobufjs'
// Reader straight into the normalized batch, skipping the intermediate message objects the
// reflection decoder (decode-v1.ts / decode-v2.ts, kept as the reference) would allocate.

/** Staging arrays for one series' samples: the first `n` entries are the current series'. */
export interface SampleSink {
  ts: Float64Array;
  vs: Float64Array;
  n: number;
}

// Samples are staged in reused typed arrays and copied into right-sized ones per series, so a
// decode allocates nothing per sample. Emptied by resetting `n`: emptying a plain array (length
// 0, then push) gave up its backing store, two allocations per series.
export const sink: SampleSink = { ts: new Float64Array(64), vs: new Float64Array(64), n: 0 };
export const NO_EXEMPLARS: readonly Exemplar[] = Object.freeze([]);
const hashWords = new Int32Array(2);

export function readSample(r: Reader): void {
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
  if (sink.n === sink.ts.length) growSink();
  sink.ts[sink.n] = t;
  sink.vs[sink.n++] = v;
}

function growSink(): void {
  const ts = new Float64Array(sink.ts.length * 2);
  const vs = new Float64Array(sink.ts.length * 2);
  ts.set(sink.ts);
  vs.set(sink.vs);
  sink.ts = ts;
  sink.vs = vs;
}

/**
 * Copies the staged samples of series `idx` into typed arrays and builds the decoded series
 * over the block the builder just wrote; labels are decoded only to describe an error.
 */
export function finishSeries(
  idx: number,
  builder: LabelBlockBuilder,
  blockStart: number,
  histograms: number,
  exemplars: readonly Exemplar[],
  o: ResolvedValidation,
  createdTimestamp?: number,
  metadata?: SeriesMetadata,
): DecodedSeries {
  const buf = builder.arena;
  const end = builder.end;
  if (histograms > 0) {
    const name =
      decodeLabelBlock({ buf, start: blockStart, end }).find((l) => l.name === '__name__')?.value ??
      '';
    throw new RemoteWriteError(
      'native_histograms_unsupported',
      `series ${idx} ${JSON.stringify(name)} carries native histograms, which this store does not accept`,
    );
  }
  const n = sink.n;
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (sink.ts[i] === 0 && o.rejectZeroTimestamps) {
      throw new RemoteWriteError(
        'missing_timestamp',
        `${describeSeries(idx, decodeLabelBlock({ buf, start: blockStart, end }))}: sample ${i} has no timestamp`,
      );
    }
    timestamps[i] = sink.ts[i];
    values[i] = sink.vs[i];
  }
  const hashLo = xxh64Into(buf, blockStart, end, hashWords);
  return new DecodedSeries(
    buf,
    blockStart,
    end,
    hashLo,
    hashWords[1],
    timestamps,
    values,
    exemplars,
    createdTimestamp,
    metadata,
  );
}

export function tooManySeries(o: ResolvedValidation): never {
  throw new RemoteWriteError(
    'too_many_series',
    `request has more than the limit of ${o.maxSeriesPerRequest} series`,
  );
}
