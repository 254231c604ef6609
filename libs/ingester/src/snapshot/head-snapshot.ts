import { xxh32 } from '@node-rs/xxhash';
import {
  type ClosedChunk,
  Head,
  type HeadOptions,
  type Label,
  type MemSeries,
  OooBuffer,
  XorChunk,
} from '@strata/tsdb';
import { METRIC_TYPES, type MetricType } from '@strata/remote-write';
import { type RestoredTenantHead, type TenantFamily } from '../head/partition-head';
import { type TenantExemplar } from '../head/tenant-exemplars';
import { ByteReader, ByteWriter } from './byte-io';
import { TENANT_LABEL } from '@strata/contracts';

/** First four bytes of a head snapshot ("SHSN"). */
export const SNAPSHOT_MAGIC = 0x5348534e;
/**
 * Current snapshot format version: 3 holds one head per tenant with its discarded samples; 2 added
 * exemplars and metadata. Versions 1 and 2 (one head for all tenants) are still read.
 */
export const SNAPSHOT_VERSION = 3;

/** A tenant's head as a snapshot stores it. */
export interface TenantHeadState {
  readonly tenant: string;
  readonly head: Head;
  /** Samples the head refused, by reason. */
  readonly discarded: ReadonlyMap<string, number>;
}

/** A partition's heads as of a stream sequence. */
export interface HeadSnapshot {
  readonly partition: number;
  /** Last ingest-stream sequence whose samples the heads hold; replay resumes after it. */
  readonly coveredSeq: number;
  /** One head per tenant. */
  readonly tenants: RestoredTenantHead[];
  /** Exemplars held, oldest first per tenant. */
  readonly exemplars: TenantExemplar[];
  /** Family metadata per tenant. */
  readonly metadata: TenantFamily[];
}

/** What a snapshot holds beside the head. */
export interface SnapshotExtras {
  exemplars?: Iterable<TenantExemplar>;
  metadata?: Iterable<TenantFamily>;
}

/** The snapshot file is unreadable; the ingester then replays the partition from the stream's start. */
export class CorruptSnapshotError extends Error {
  constructor(why: string) {
    super(`corrupt head snapshot: ${why}`);
    this.name = 'CorruptSnapshotError';
  }
}

function fail(why: string): never {
  throw new CorruptSnapshotError(why);
}

/**
 * Encodes a partition's tenant heads (format in the README: header, symbol table, per tenant its
 * bounds, window and discarded samples, then per series its label refs, closed XOR chunks as
 * stored, the open chunk's samples, append state and OOO samples; then the exemplars and family
 * metadata; xxh32 trailer). Synchronous: the caller runs it between two applied messages, so the
 * heads and `coveredSeq` agree exactly.
 */
export function encodeHeadSnapshot(
  partition: number,
  coveredSeq: number,
  tenants: Iterable<TenantHeadState>,
  extras: SnapshotExtras = {},
): Buffer {
  const steps = encodeHeadSnapshotSteps(partition, coveredSeq, tenants, extras);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * {@link encodeHeadSnapshot} in steps: it yields after every series and returns the file, so a
 * caller can give the event loop back between steps. The heads must not change until it returns.
 */
export function* encodeHeadSnapshotSteps(
  partition: number,
  coveredSeq: number,
  tenants: Iterable<TenantHeadState>,
  extras: SnapshotExtras = {},
): Generator<void, Buffer, void> {
  const symbols = new Map<string, number>();
  const symbolList: string[] = [];
  const ref = (s: string) => {
    let r = symbols.get(s);
    if (r === undefined) {
      r = symbolList.length;
      symbols.set(s, r);
      symbolList.push(s);
    }
    return r;
  };
  const body = new ByteWriter();
  const list = [...tenants];
  body.uvarint(list.length);
  for (const t of list) {
    body.uvarint(ref(t.tenant));
    body.f64(t.head.minValidTime);
    body.f64(t.head.outOfOrderWindow);
    body.uvarint(t.discarded.size);
    for (const [reason, n] of t.discarded) {
      body.uvarint(ref(reason));
      body.f64(n);
    }
    let count = 0;
    for (const s of t.head.allSeries()) if (!s.isEmpty()) count++;
    body.uvarint(count);
    for (const s of t.head.allSeries()) {
      if (s.isEmpty()) continue;
      encodeSeries(body, s, ref);
      yield;
    }
  }
  const held = [...(extras.exemplars ?? [])];
  body.uvarint(held.length);
  for (const e of held) {
    body.uvarint(ref(e.tenant));
    body.uvarint(e.pairs.length / 2);
    for (const p of e.pairs) body.uvarint(ref(p));
    body.uvarint(e.exemplar.labels.length);
    for (const l of e.exemplar.labels) {
      body.uvarint(ref(l.name));
      body.uvarint(ref(l.value));
    }
    body.f64(e.exemplar.value);
    body.f64(e.exemplar.timestamp);
  }
  const families = [...(extras.metadata ?? [])];
  body.uvarint(families.length);
  for (const { tenant, family } of families) {
    for (const text of [tenant, family.metricFamilyName, family.type, family.help, family.unit])
      body.uvarint(ref(text));
  }
  yield;
  const out = new ByteWriter();
  out.u32(SNAPSHOT_MAGIC);
  out.u8(SNAPSHOT_VERSION);
  out.u32(partition);
  out.f64(coveredSeq);
  out.uvarint(symbolList.length);
  for (const s of symbolList) out.str(s);
  const header = out.result();
  const rest = body.result();
  const file = Buffer.allocUnsafe(header.length + rest.length + 4);
  header.copy(file, 0);
  rest.copy(file, header.length);
  file.writeUInt32LE(xxh32(file.subarray(0, file.length - 4)), file.length - 4);
  return file;
}

function encodeSeries(body: ByteWriter, s: MemSeries, ref: (s: string) => number): void {
  body.uvarint(s.pairs.length / 2);
  for (const p of s.pairs) body.uvarint(ref(p));
  body.uvarint(s.chunks.length);
  for (const c of s.chunks) {
    body.f64(c.minT);
    body.f64(c.maxT);
    body.bytes(c.bytes);
  }
  const h = s.headChunk;
  const n = h ? h.numSamples() : 0;
  body.uvarint(n);
  if (h && n > 0) {
    const it = h.iterator();
    while (it.next()) {
      body.f64(it.t);
      body.f64(it.v);
    }
  }
  body.f64(s.lastT);
  body.f64(s.lastV);
  body.f64(s.chunkRangeEnd);
  const ooo = s.ooo;
  body.uvarint(ooo ? ooo.ts.length : 0);
  if (ooo)
    for (let i = 0; i < ooo.ts.length; i++) {
      body.f64(ooo.ts[i]);
      body.f64(ooo.vs[i]);
    }
}

/**
 * Rebuilds tenant heads from {@link encodeHeadSnapshot}'s bytes, verifying magic, version and
 * checksum. A version 1 or 2 file (one head for every tenant) is split into tenant heads by each
 * series' `tenant_id`, each head's bounds then following its own series only.
 */
export function decodeHeadSnapshot(data: Buffer, options: HeadOptions = {}): HeadSnapshot {
  if (data.length < 4 + 1 + 4 + 8 + 4) fail('shorter than its header');
  if (data.readUInt32LE(data.length - 4) !== xxh32(data.subarray(0, data.length - 4)))
    fail('checksum mismatch');
  const r = new ByteReader(data, data.length - 4, fail);
  if (r.u32() !== SNAPSHOT_MAGIC) fail('bad magic');
  const version = r.u8();
  if (version < 1 || version > SNAPSHOT_VERSION) fail(`unsupported version ${version}`);
  const partition = r.u32();
  const coveredSeq = r.f64();
  const sharedMinValidTime = version < 3 ? r.f64() : -Infinity;
  const symbols: string[] = new Array<string>(r.uvarint());
  for (let i = 0; i < symbols.length; i++) symbols[i] = r.str();
  const sym = (i: number) => (i < symbols.length ? symbols[i] : fail('symbol ref out of range'));
  const heads = new Map<string, { head: Head; discarded: Map<string, number> }>();
  const headOf = (tenant: string, minValidTime: number) => {
    let t = heads.get(tenant);
    if (!t) {
      const head = new Head(options);
      head.minValidTime = minValidTime;
      t = { head, discarded: new Map() };
      heads.set(tenant, t);
    }
    return t;
  };
  if (version < 3) {
    const count = r.uvarint();
    for (let k = 0; k < count; k++) {
      const labels = readLabels(r, sym);
      const tenant = labels.find((l) => l.name === TENANT_LABEL)?.value ?? '';
      decodeSeries(r, headOf(tenant, sharedMinValidTime).head, labels);
    }
  } else {
    for (let n = r.uvarint(); n > 0; n--) {
      const tenant = sym(r.uvarint());
      if (heads.has(tenant)) fail(`tenant ${tenant} twice`);
      const t = headOf(tenant, r.f64());
      t.head.outOfOrderWindow = r.f64();
      for (let d = r.uvarint(); d > 0; d--) {
        const reason = sym(r.uvarint());
        t.discarded.set(reason, r.f64());
      }
      for (let count = r.uvarint(); count > 0; count--) decodeSeries(r, t.head, readLabels(r, sym));
    }
  }
  const exemplars: TenantExemplar[] = [];
  const held = version >= 2 ? r.uvarint() : 0;
  for (let k = 0; k < held; k++) {
    const tenant = sym(r.uvarint());
    const pairs: string[] = new Array<string>(2 * r.uvarint());
    for (let i = 0; i < pairs.length; i++) pairs[i] = sym(r.uvarint());
    const labels: Label[] = new Array<Label>(r.uvarint());
    for (let i = 0; i < labels.length; i++)
      labels[i] = { name: sym(r.uvarint()), value: sym(r.uvarint()) };
    const value = r.f64();
    exemplars.push({ tenant, pairs, exemplar: { labels, value, timestamp: r.f64() } });
  }
  const metadata: TenantFamily[] = [];
  const families = version >= 2 ? r.uvarint() : 0;
  for (let k = 0; k < families; k++) {
    const [tenant, metricFamilyName, type, help, unit] = [0, 0, 0, 0, 0].map(() =>
      sym(r.uvarint()),
    );
    if (!(METRIC_TYPES as readonly string[]).includes(type)) fail(`unknown metric type ${type}`);
    metadata.push({ tenant, family: { metricFamilyName, type: type as MetricType, help, unit } });
  }
  if (!r.done) fail('trailing bytes');
  const tenants = [...heads].map(([tenant, t]) => ({ tenant, ...t }));
  return { partition, coveredSeq, tenants, exemplars, metadata };
}

function readLabels(r: ByteReader, sym: (i: number) => string): Label[] {
  const labels: Label[] = new Array<Label>(r.uvarint());
  for (let i = 0; i < labels.length; i++)
    labels[i] = { name: sym(r.uvarint()), value: sym(r.uvarint()) };
  return labels;
}

function decodeSeries(r: ByteReader, head: Head, labels: Label[]): void {
  const s = head.getOrCreate(labels);
  const chunks: ClosedChunk[] = new Array<ClosedChunk>(r.uvarint());
  for (let i = 0; i < chunks.length; i++) {
    const minT = r.f64();
    const maxT = r.f64();
    chunks[i] = { minT, maxT, bytes: r.bytes() };
  }
  if (chunks.length > 0) s.chunks = chunks;
  const n = r.uvarint();
  if (n > 0) {
    const c = new XorChunk(64);
    for (let i = 0; i < n; i++) {
      const t = r.f64();
      c.append(t, r.f64());
    }
    s.headChunk = c;
  }
  s.lastT = r.f64();
  s.lastV = r.f64();
  s.chunkRangeEnd = r.f64();
  const nooo = r.uvarint();
  if (nooo > 0) {
    const ooo = new OooBuffer();
    for (let i = 0; i < nooo; i++) {
      ooo.ts.push(r.f64());
      ooo.vs.push(r.f64());
    }
    s.ooo = ooo;
  }
  const min = s.minTime();
  if (min < head.minT) head.minT = min;
  // The head's maxT follows in-order samples only, as appends do.
  if (s.lastT > head.maxT) head.maxT = s.lastT;
}
