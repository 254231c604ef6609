import { xxh64 } from '@node-rs/xxhash';
import { type Reader } from 'protobufjs';
import { readSample, sink } from './fast-decode-common';
import { readLabelRangesV1 } from './fast-decode-v1';
import { type IngestTenantSettings, IngestSeriesSection, frameIngestMessage } from './ingest-codec';
import { LabelBlockBuilder, type LabelInjection } from './label-block-builder';
import { partitionOf } from './series-hash';
import { type ResolvedValidation } from './validate';
import { WT_LEN, delimitedEnd, expectWire, invalid, readerOf } from './wire';

/** Where a tenant's write goes and which of its samples it keeps. */
export interface RouteOptions {
  readonly tenant: string;
  readonly partitions: number;
  /** Largest ingest message. */
  readonly maxMessageBytes: number;
  /** Oldest timestamp kept, ms (inclusive). */
  readonly from: number;
  /** Newest timestamp kept, ms (inclusive). */
  readonly until: number;
  readonly settings: IngestTenantSettings;
}

/** A write turned into one ingest message per partition, in order of first appearance. */
export interface RoutedWrite {
  /** Samples the messages hold. */
  readonly samples: number;
  readonly tooOld: number;
  readonly tooFarInFuture: number;
  readonly messages: ReadonlyArray<{ partition: number; index: number; data: Buffer }>;
}

/** Per partition, the series section being written; reused from request to request. */
const sections: IngestSeriesSection[] = [];

/**
 * Turns a decompressed v1 `WriteRequest` straight into ingest messages: each series' labels are
 * validated into a label block (with the injected labels), hashed, and written with its samples
 * inside `[from, until]` into its partition's message as it is read, with no decoded series,
 * sample arrays or second pass in between. The messages are byte for byte what decoding and then
 * encoding the same request makes. Returns null for anything else, which the caller then decodes
 * the general way: a request it refuses (the general decoder gives the precise error), metadata,
 * exemplars, histograms, a zero timestamp, or a partition's part larger than one message.
 */
export function routeWriteV1(
  raw: Buffer,
  o: ResolvedValidation,
  injection: LabelInjection,
  route: RouteOptions,
): RoutedWrite | null {
  try {
    return routeOrNull(raw, o, injection, route);
  } catch {
    // Bad input of any kind is refused by the general decoder with its own error; a write is
    // never answered from here with an error the general path would not give.
    return null;
  }
}

function routeOrNull(
  raw: Buffer,
  o: ResolvedValidation,
  injection: LabelInjection,
  route: RouteOptions,
): RoutedWrite | null {
  const r = readerOf(raw);
  const b = new LabelBlockBuilder(o, injection, 4096);
  while (sections.length < route.partitions) sections.push(new IngestSeriesSection());
  const order: number[] = [];
  const seen = new Uint8Array(route.partitions);
  let idx = 0;
  let samples = 0;
  let tooOld = 0;
  let tooFarInFuture = 0;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if (f === 1) {
      expectWire('WriteRequest.timeseries', tag & 7, WT_LEN);
      if (idx >= o.maxSeriesPerRequest || !readSeries(r, b)) return null;
      const start = b.finish(raw, idx++, false);
      const ts = sink.ts;
      const vs = sink.vs;
      const count = ts.length;
      // Kept samples move to the front of the staging arrays, as the router's window keeps them.
      let n = 0;
      for (let i = 0; i < count; i++) {
        const t = ts[i];
        if (t === 0 && o.rejectZeroTimestamps) return null;
        if (t > route.until) tooFarInFuture++;
        else if (t < route.from) tooOld++;
        else {
          ts[n] = t;
          vs[n++] = vs[i];
        }
      }
      // A series none of whose samples is kept is left out; one sent without samples is not.
      if (n === 0 && count > 0) {
        b.reset();
        continue;
      }
      samples += n;
      const hash = xxh64(b.arena.subarray(start, b.end));
      const p = partitionOf(hash, route.partitions);
      const section = sections[p];
      if (seen[p] === 0) {
        seen[p] = 1;
        order.push(p);
        section.reset();
      }
      section.add(hash, b.arena, start, b.end, ts, vs, n);
      b.reset();
    } else if (f === 3) {
      return null;
    } else r.skipType(tag & 7);
  }
  const messages: Array<{ partition: number; index: number; data: Buffer }> = [];
  if (samples === 0) return { samples, tooOld, tooFarInFuture, messages };
  for (const p of order) {
    const data = frameIngestMessage(route.tenant, sections[p], route.settings);
    if (data.length > route.maxMessageBytes && sections[p].count > 1) return null;
    messages.push({ partition: p, index: 0, data });
  }
  return { samples, tooOld, tooFarInFuture, messages };
}

/** Reads a TimeSeries' labels into `b` and its samples into the staging arrays; false: not routed here. */
function readSeries(r: Reader, b: LabelBlockBuilder): boolean {
  const end = delimitedEnd(r);
  b.begin();
  sink.ts.length = 0;
  sink.vs.length = 0;
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
      case 4:
        // Exemplars and histograms take the general path.
        return false;
      default:
        r.skipType(tag & 7);
    }
  }
  if (r.pos !== end) invalid('TimeSeries overruns its length');
  return true;
}
