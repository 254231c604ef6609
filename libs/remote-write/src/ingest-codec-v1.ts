import { xxh32 } from '@node-rs/xxhash';
import { type Label } from '@strata/tsdb';
import { type IngestSeriesInput } from './ingest-codec';
import { Reader, fail } from './ingest-reader';
import { type Exemplar, METRIC_TYPES, type MetricMetadata } from './types';

const HEADER_BYTES = 12;
const FLAG_EXEMPLARS = 1;
const FLAG_CREATED = 2;
const FLAG_METADATA = 4;

/**
 * Reads a version 1 ingest message (a symbol table and label refs, uncompressed), so messages
 * acknowledged before an upgrade to label blocks are still applied after it.
 */
export function readIngestV1(wire: Buffer): {
  tenant: string;
  series: IngestSeriesInput[];
  metadata: MetricMetadata[];
} {
  if (wire.length < HEADER_BYTES) fail('shorter than its header');
  const size = wire.readUInt32LE(4);
  if (wire.length !== HEADER_BYTES + size)
    fail(`length ${wire.length} does not match header (${HEADER_BYTES + size})`);
  if (wire.readUInt32LE(8) !== xxh32(wire.subarray(HEADER_BYTES))) fail('checksum mismatch');
  const flags = wire[3];
  if (flags & ~(FLAG_EXEMPLARS | FLAG_CREATED | FLAG_METADATA))
    fail(`unknown flags 0x${flags.toString(16)}`);
  const r = new Reader(wire, HEADER_BYTES);
  const tenant = r.str();
  const symbols: string[] = [];
  for (let i = r.uvarint(); i > 0; i--) symbols.push(r.str());
  const symbol = (): string => {
    const ref = r.uvarint();
    if (ref >= symbols.length) fail('symbol ref out of range');
    return symbols[ref];
  };
  const labels = (): Label[] => {
    const out: Label[] = [];
    for (let k = r.uvarint(); k > 0; k--) out.push({ name: symbol(), value: symbol() });
    return out;
  };
  const f64s = (n: number): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = r.f64();
    return out;
  };
  const series: IngestSeriesInput[] = [];
  for (let i = r.uvarint(); i > 0; i--) {
    r.need(8);
    const hash = wire.readBigUInt64LE(r.off);
    r.off += 8;
    const seriesLabels = labels();
    const n = r.uvarint();
    const timestamps = f64s(n);
    const values = f64s(n);
    const exemplars: Exemplar[] = [];
    if (flags & FLAG_EXEMPLARS) {
      for (let k = r.uvarint(); k > 0; k--) {
        const el = labels();
        exemplars.push({ labels: el, value: r.f64(), timestamp: r.f64() });
      }
    }
    const created = flags & FLAG_CREATED ? r.f64() : 0;
    series.push({
      labels: seriesLabels,
      hash,
      timestamps,
      values,
      exemplars,
      ...(created !== 0 ? { createdTimestamp: created } : {}),
    });
  }
  const metadata: MetricMetadata[] = [];
  if (flags & FLAG_METADATA) {
    for (let k = r.uvarint(); k > 0; k--) {
      const metricFamilyName = symbol();
      r.need(1);
      const type = METRIC_TYPES[wire[r.off++]] ?? 'unknown';
      metadata.push({ metricFamilyName, type, help: symbol(), unit: symbol() });
    }
  }
  if (r.off !== wire.length) fail('trailing bytes');
  return { tenant, series, metadata };
}
