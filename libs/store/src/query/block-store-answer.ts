import {
  StrataError,
  type StoreCardinalityResponse,
  type StoreExemplarsResponse,
  type StoreMatcher,
  type StoreMetadataResponse,
  type StoreRequest,
  type StoreSelectResponse,
  type StoreSeriesResponse,
  type StoreStringsResponse,
  type StoreTimeRange,
  type StoreTsdbStatusResponse,
  type StoreUserStatsResponse,
  type WireLabels,
  type WireSeries,
  TENANT_LABEL,
} from '@strata/contracts';
import { type ListedBlock } from '@strata/blocks';
import { WireBytes } from '@strata/bus';
import {
  type Aggregate,
  type BlockReader,
  type BlockSelectedSeries,
  ENC_XOR,
  type Labels,
  type Matcher,
  type SelectedChunk,
  chunkFramesSamples,
  compareLabelsUtf8,
  encodeChunkFrames,
  matcher,
} from '@strata/tsdb';
import { blocksAtResolution } from './resolution';
import { type SampleSeries, mergeSamples, mergeSeriesStreams } from './series-merge';

/** Any answer of a store gateway. */
export type StoreGatewayResponse =
  | StoreSeriesResponse
  | StoreStringsResponse
  | StoreSelectResponse
  | StoreMetadataResponse
  | StoreExemplarsResponse
  | StoreTsdbStatusResponse
  | StoreCardinalityResponse
  | StoreUserStatsResponse;

/** What answering needs: the tenant's blocks in a window, their readers, and this replica's time range. */
export interface BlockSource {
  blocksFor(tenant: string, mint: number, maxt: number): ListedBlock[];
  open(block: ListedBlock): Promise<BlockReader>;
  /** The time this replica serves, `[minTime, maxTime)`, resolved now. */
  timeRange(): StoreTimeRange;
}

/**
 * Answers a Store API request from a tenant's blocks, as an ingester answers from its head:
 * series carry `tenant_id`, overlapping blocks are merged sample by sample, Select pages by cursor.
 * Metadata and exemplars live in the ingesters only; head statistics are the ingesters' too.
 */
export async function answerFromBlocks(
  source: BlockSource,
  request: StoreRequest,
): Promise<StoreGatewayResponse> {
  switch (request.type) {
    case 'Metadata':
      return { metadata: {} };
    case 'Exemplars':
      return { series: [] };
    case 'TsdbStatus':
      return { numSeries: 0, chunkCount: 0, minTime: null, maxTime: null, labels: [] };
    case 'Cardinality':
      return { seriesCountTotal: 0, labels: [] };
    case 'UserStats':
      return { numSeries: 0, ingestionRate: 0, discardedSamples: {} };
    case 'Series':
    case 'LabelNames':
    case 'LabelValues':
    case 'Select':
      break;
  }
  const tenant = request.tenantId;
  const matchers = blockMatchers(tenant, request.matchers);
  const range = source.timeRange();
  const mint = Math.max(request.start, range.minTime);
  const maxt = Math.min(request.end, range.maxTime - 1);
  const empty = matchers === null || mint > maxt;
  const listed = empty ? [] : source.blocksFor(tenant, mint, maxt);
  // Series are read at the resolution asked for; labels are the same in every resolution.
  const blocks =
    request.type === 'Select'
      ? blocksAtResolution(
          listed,
          mint,
          maxt,
          request.aggregate === undefined ? 0 : (request.maxResolutionMs ?? 0),
        )
      : listed;
  const readers = await Promise.all(blocks.map((b) => source.open(b)));
  const m = matchers ?? [];
  switch (request.type) {
    case 'Series':
      return { series: await seriesLabels(readers, m, mint, maxt, tenant, request.limit) };
    case 'LabelNames': {
      const names = new Set<string>();
      for (const r of readers) for (const n of await r.labelNames(m)) names.add(n);
      if (names.size > 0) names.add(TENANT_LABEL);
      return { values: sortedLimited(names, request.limit) };
    }
    case 'LabelValues': {
      const values = new Set<string>();
      if (request.name === TENANT_LABEL) {
        for (const r of readers) if ((await r.postings(m)).length > 0) values.add(tenant);
      } else
        for (const r of readers)
          for (const v of await r.labelValues(request.name, m)) values.add(v);
      return { values: sortedLimited(values, request.limit) };
    }
    case 'Select':
      return select(readers, m, mint, maxt, tenant, range, request);
  }
}

/**
 * The matchers a block is asked with: those on `tenant_id` are settled against the tenant here
 * (null when one fails, so nothing matches), the rest pass through.
 */
export function blockMatchers(tenant: string, wire: readonly StoreMatcher[]): Matcher[] | null {
  const out: Matcher[] = [];
  try {
    for (const w of wire) {
      const m = matcher(w.type, w.name, w.value);
      if (m.name !== TENANT_LABEL) out.push(m);
      else if (!m.matches(tenant)) return null;
    }
  } catch (error) {
    throw new StrataError('bad_request', `invalid matcher: ${(error as Error).message}`);
  }
  return out;
}

/** The series' labels with `tenant_id` in its place by name (replacing one a block might carry). */
export function withTenant(labels: Labels, tenant: string): WireLabels {
  const out: string[] = [];
  let added = false;
  for (const l of labels) {
    if (l.name === TENANT_LABEL) continue;
    if (!added && l.name > TENANT_LABEL) {
      out.push(TENANT_LABEL, tenant);
      added = true;
    }
    out.push(l.name, l.value);
  }
  if (!added) out.push(TENANT_LABEL, tenant);
  return out;
}

async function seriesLabels(
  readers: readonly BlockReader[],
  m: Matcher[],
  mint: number,
  maxt: number,
  tenant: string,
  limit: number | undefined,
): Promise<WireLabels[]> {
  const seen = new Map<string, Labels>();
  for (const r of readers) {
    for (const s of await r.index.series(await r.postings(m))) {
      if (!s.chunks.some((c) => c.maxT >= mint && c.minT <= maxt)) continue;
      const key = s.labels.map((l) => `${l.name}\u0000${l.value}`).join('\u0001');
      if (!seen.has(key)) seen.set(key, s.labels);
    }
  }
  const sorted = [...seen.values()].sort(compareLabelsUtf8);
  return sorted.slice(0, limit ?? sorted.length).map((l) => withTenant(l, tenant));
}

function sortedLimited(values: Set<string>, limit: number | undefined): string[] {
  const out = [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return limit ? out.slice(0, limit) : out;
}

/**
 * A series a block stream yields: its raw XOR chunks when they can go to the reader as they are
 * (time-ordered, not overlapping, inside the store's time range), else its samples decoded.
 */
interface BlockSeries {
  labels: Labels;
  chunks: readonly SelectedChunk[] | null;
  /** The samples in [mint, maxt]; decodes the chunks when the series still has them. */
  samples(): SampleSeries;
}

async function* blockSeries(
  reader: BlockReader,
  m: Matcher[],
  mint: number,
  maxt: number,
  after: Labels | null,
  aggregate: Aggregate | undefined,
  frames: StoreTimeRange | null,
): AsyncGenerator<BlockSeries> {
  const raw = (reader.meta.thanos?.downsample.resolution ?? 0) === 0;
  // A raw sample is one sample of the `count` aggregate.
  const ones = raw && aggregate === 'count';
  for await (const s of reader.select(m, mint, maxt, {
    ...(after ? { after } : {}),
    ...(aggregate ? { aggregate } : {}),
  })) {
    if (frames !== null && raw && sendable(s.chunks, frames)) {
      // The chunks go as the block holds them; the reader drops samples outside its window.
      yield { labels: s.labels, chunks: s.chunks, samples: () => decodeSeries(s, false) };
      continue;
    }
    const decoded = decodeSeries(s, ones);
    if (decoded.timestamps.length > 0)
      yield { labels: s.labels, chunks: null, samples: () => decoded };
  }
}

/** XOR chunks in time order, none overlapping the next, all inside the store's time range. */
function sendable(chunks: readonly SelectedChunk[], range: StoreTimeRange): boolean {
  let last = -Infinity;
  for (const c of chunks) {
    if (c.encoding !== ENC_XOR || c.minT <= last || c.minT < range.minTime) return false;
    if (c.maxT >= range.maxTime) return false;
    last = c.maxT;
  }
  return true;
}

function decodeSeries(s: BlockSelectedSeries, ones: boolean): SampleSeries {
  const t: number[] = [];
  const v: number[] = [];
  const it = s.iterator();
  while (it.next()) {
    t.push(it.t);
    v.push(ones && !Number.isNaN(it.v) ? 1 : it.v);
  }
  return { labels: s.labels, timestamps: Float64Array.from(t), values: Float64Array.from(v) };
}

/**
 * One series found in several blocks (oldest first): chunks that follow each other in time are
 * joined as they are; anything else is merged sample by sample, the older block winning a shared
 * timestamp, as before chunks were sent.
 */
function mergeBlockSeries(a: BlockSeries, b: BlockSeries): BlockSeries {
  if (a.chunks && b.chunks && b.chunks[0].minT > a.chunks[a.chunks.length - 1].maxT)
    return {
      labels: a.labels,
      chunks: [...a.chunks, ...b.chunks],
      samples: () => mergeSamples(a.samples(), b.samples()),
    };
  const merged = mergeSamples(a.samples(), b.samples());
  return { labels: a.labels, chunks: null, samples: () => merged };
}

async function select(
  readers: readonly BlockReader[],
  m: Matcher[],
  mint: number,
  maxt: number,
  tenant: string,
  range: StoreTimeRange,
  request: Extract<StoreRequest, { type: 'Select' }>,
): Promise<StoreSelectResponse> {
  const after = request.cursor === null ? null : parseCursor(request.cursor);
  // Chunks as stored (about 1.3 bytes a sample) when asked for, raw blocks only: the reader
  // decodes each series when it reaches it, and nothing is decoded here.
  const frames = request.encoding === 'xor' && request.aggregate === undefined ? range : null;
  const series: WireSeries[] = [];
  let budget = request.maxSamples;
  let last: Labels | null = null;
  // Oldest block first: on a timestamp two blocks share, the older block's sample is kept.
  for await (const s of mergeSeriesStreams(
    readers.map((r) => blockSeries(r, m, mint, maxt, after, request.aggregate, frames)),
    mergeBlockSeries,
  )) {
    if (series.length > 0 && budget <= 0 && last)
      return { series, nextCursor: JSON.stringify(last.flatMap((l) => [l.name, l.value])) };
    if (s.chunks) {
      const data = s.chunks.map((c) => c.data);
      budget -= chunkFramesSamples(data);
      last = s.labels;
      series.push({
        labels: withTenant(s.labels, tenant),
        t: '',
        v: '',
        x: new WireBytes(encodeChunkFrames(data)),
      });
      continue;
    }
    const samples = s.samples();
    // Merged from chunks that held nothing in the window.
    if (samples.timestamps.length === 0) continue;
    budget -= samples.timestamps.length;
    last = s.labels;
    series.push({
      labels: withTenant(s.labels, tenant),
      t: base64(samples.timestamps),
      v: base64(samples.values),
    });
  }
  return { series, nextCursor: null };
}

function base64(a: Float64Array): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function parseCursor(cursor: string): Labels {
  try {
    const flat = JSON.parse(cursor) as unknown;
    if (Array.isArray(flat) && flat.length % 2 === 0 && flat.every((x) => typeof x === 'string')) {
      const out: Array<{ name: string; value: string }> = [];
      for (let i = 0; i < flat.length; i += 2)
        out.push({ name: flat[i] as string, value: flat[i + 1] as string });
      return out;
    }
  } catch {
    // fall through to the error below
  }
  throw new StrataError('bad_request', 'invalid Select cursor');
}
