import { type SeriesMetadata } from '@strata/remote-write';
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
  type StoreTsdbStatusResponse,
  type StoreUserStatsResponse,
  type WireLabels,
  type WireSeries,
  TENANT_LABEL,
} from '@strata/contracts';
import { WireBytes } from '@strata/bus';
import {
  Head,
  type Labels,
  type Matcher,
  chunkFramesSamples,
  compareLabels,
  encodeChunkFrames,
  matcher,
} from '@strata/tsdb';
import { type TenantExemplars } from '../head/tenant-exemplars';
import { type TenantHead } from '../head/tenant-head';
import { answerCardinality, answerTsdbStatus } from './cardinality.answer';

const NO_SERIES = new Head();

/** Any Store API answer. */
export type StoreResponse =
  | StoreSeriesResponse
  | StoreStringsResponse
  | StoreSelectResponse
  | StoreMetadataResponse
  | StoreExemplarsResponse
  | StoreTsdbStatusResponse
  | StoreCardinalityResponse
  | StoreUserStatsResponse;

/** What one partition holds for the Store API. */
export interface StoreState {
  /** The tenant's head, metadata and counters in the partition, if it ever wrote there. */
  tenantState(tenant: string): TenantHead | undefined;
  readonly exemplars?: TenantExemplars;
}

/**
 * Answers Store API requests from one partition, from the request's tenant's own head only (a
 * tenant that never wrote here gets empty answers); the `tenant_id` matcher is added as well.
 */
export function answerStoreRequest(state: StoreState, request: StoreRequest): StoreResponse {
  const tenant = state.tenantState(request.tenantId);
  if (request.type === 'Metadata') return answerMetadata(tenant?.metadata, request);
  if (request.type === 'Exemplars') return answerExemplars(state.exemplars, request);
  if (request.type === 'UserStats') return userStats(tenant);
  // A tenant that never wrote here has no head: its counts are those of an empty one.
  const counted = tenant?.head ?? NO_SERIES;
  if (request.type === 'TsdbStatus')
    return answerTsdbStatus(counted, matcher('=', TENANT_LABEL, request.tenantId), TENANT_LABEL);
  const matchers = toMatchers(request.tenantId, request.matchers);
  if (request.type === 'Cardinality')
    return answerCardinality(counted, matchers[0], TENANT_LABEL, matchers.slice(1), request);
  if (!tenant) return emptyAnswer(request.type);
  const head = tenant.head;
  const q = head.querier(request.start, request.end);
  switch (request.type) {
    case 'Series': {
      const selected = q.select(matchers);
      const limit = request.limit ?? Infinity;
      return {
        series: selected.slice(0, Math.min(selected.length, limit)).map((s) => flatten(s.labels)),
      };
    }
    case 'LabelNames':
      return { values: q.labelNames(matchers, { limit: request.limit }) };
    case 'LabelValues':
      return { values: q.labelValues(request.name, matchers, { limit: request.limit }) };
    case 'Select':
      return select(head, matchers, request);
  }
}

function emptyAnswer(type: 'Series' | 'LabelNames' | 'LabelValues' | 'Select'): StoreResponse {
  switch (type) {
    case 'Series':
      return { series: [] };
    case 'LabelNames':
    case 'LabelValues':
      return { values: [] };
    case 'Select':
      return { series: [], nextCursor: null };
  }
}

function userStats(tenant: TenantHead | undefined): StoreUserStatsResponse {
  return {
    numSeries: tenant?.head.numSeries() ?? 0,
    ingestionRate: tenant?.rate.perSecond ?? 0,
    discardedSamples: Object.fromEntries(tenant?.discarded ?? []),
  };
}

function answerMetadata(
  families: TenantHead['metadata'] | undefined,
  request: Extract<StoreRequest, { type: 'Metadata' }>,
): StoreMetadataResponse {
  const out: StoreMetadataResponse = { metadata: {} };
  if (!families) return out;
  const names =
    request.metric !== undefined
      ? families.has(request.metric)
        ? [request.metric]
        : []
      : [...families.keys()].sort();
  for (const name of names.slice(0, request.limit ?? names.length)) {
    const m = families.get(name) as SeriesMetadata;
    out.metadata[name] = [{ type: m.type, help: m.help, unit: m.unit }];
  }
  return out;
}

function answerExemplars(
  exemplars: TenantExemplars | undefined,
  request: Extract<StoreRequest, { type: 'Exemplars' }>,
): StoreExemplarsResponse {
  const sets = request.matcherSets.map((set) => toMatchers(request.tenantId, set));
  const found = exemplars?.select(request.tenantId, request.start, request.end, sets) ?? [];
  return {
    series: found.map((s) => ({
      seriesLabels: flatten(s.seriesLabels),
      exemplars: s.exemplars.map((e) => ({
        labels: flatten(e.labels),
        value: String(e.value),
        timestamp: e.timestamp,
      })),
    })),
  };
}

let scratchT = new Float64Array(4096);
let scratchV = new Float64Array(4096);

function select(
  head: Head,
  matchers: Matcher[],
  request: Extract<StoreRequest, { type: 'Select' }>,
): StoreSelectResponse {
  const after = request.cursor === null ? null : parseCursor(request.cursor);
  const series: WireSeries[] = [];
  let budget = request.maxSamples;
  const xor = request.encoding === 'xor';
  for (const s of head.querier(request.start, request.end).select(matchers)) {
    if (after && compareLabels(s.labels, after) <= 0) continue;
    if (series.length > 0 && budget <= 0)
      return { series, nextCursor: JSON.stringify(series[series.length - 1].labels) };
    // The chunks go as the head holds them: no decoding here, a quarter of the bytes or less.
    const chunks = xor ? s.chunks() : null;
    if (chunks !== null) {
      if (chunks.length === 0) continue;
      budget -= chunkFramesSamples(chunks);
      series.push({
        labels: flatten(s.labels),
        t: '',
        v: '',
        x: new WireBytes(encodeChunkFrames(chunks)),
      });
      continue;
    }
    const it = s.iterator();
    let n = 0;
    while (it.next()) {
      if (n === scratchT.length) grow();
      scratchT[n] = it.t;
      scratchV[n] = it.v;
      n++;
    }
    if (n === 0) continue;
    budget -= n;
    series.push({ labels: flatten(s.labels), t: base64(scratchT, n), v: base64(scratchV, n) });
  }
  return { series, nextCursor: null };
}

function grow(): void {
  const t = new Float64Array(scratchT.length * 2);
  t.set(scratchT);
  scratchT = t;
  const v = new Float64Array(scratchV.length * 2);
  v.set(scratchV);
  scratchV = v;
}

function base64(a: Float64Array, n: number): string {
  return Buffer.from(a.buffer, a.byteOffset, n * 8).toString('base64');
}

function parseCursor(cursor: string): Labels {
  try {
    const flat = JSON.parse(cursor) as unknown;
    if (Array.isArray(flat) && flat.length % 2 === 0 && flat.every((x) => typeof x === 'string'))
      return unflatten(flat as string[]);
  } catch {
    // fall through to the error below
  }
  throw new StrataError('bad_request', 'invalid Select cursor');
}

function toMatchers(tenantId: string, matchers: readonly StoreMatcher[]): Matcher[] {
  try {
    return [
      matcher('=', TENANT_LABEL, tenantId),
      ...matchers.map((m) => matcher(m.type, m.name, m.value)),
    ];
  } catch (error) {
    throw new StrataError('bad_request', `invalid matcher: ${(error as Error).message}`);
  }
}

/** Labels in wire form. */
export function flatten(labels: Labels): WireLabels {
  const out: string[] = new Array<string>(labels.length * 2);
  for (let i = 0; i < labels.length; i++) {
    out[2 * i] = labels[i].name;
    out[2 * i + 1] = labels[i].value;
  }
  return out;
}

/** Labels from wire form. */
export function unflatten(flat: readonly string[]): Labels {
  const out = new Array<{ name: string; value: string }>(flat.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = { name: flat[2 * i], value: flat[2 * i + 1] };
  return out;
}
