import {
  type DeletedInterval,
  DeletionMatcher,
  type DeletionRequest,
  isDeleted,
  listDeletionRequestIds,
  readDeletionRequest,
} from '@strata/blocks';
import { TENANT_LABEL } from '@strata/contracts';
import { type Bucket } from '@strata/objstore';
import { type Matcher, type SelectHints, type StorageSeries } from '@strata/promql';
import {
  type CardinalitySource,
  type TenantCardinality,
  type TenantHeadStatus,
} from './cardinality-source';
import {
  type MetricMetadata,
  type ReadScope,
  type SeriesExemplars,
  type SeriesSource,
} from './series-source';
import { TypedArrayIterator } from './store-series-source';

/**
 * Hides the samples of a tenant's deletion requests (`<tenant>/tombstones/` in the bucket) from
 * every Select, whether they come from an ingester's head or a store gateway's blocks: the
 * querier is where both paths meet, so a request hides its samples from the next query on,
 * long before the compactor has rewritten the blocks. Each Select lists the tenant's requests
 * (one LIST); a request's selectors and range never change, so each is read once.
 */
export class DeletionFilteringSource implements SeriesSource, CardinalitySource {
  private readonly known = new Map<string, DeletionRequest>();
  private readonly listing = new Map<string, Promise<DeletionMatcher>>();

  constructor(
    private readonly inner: SeriesSource & CardinalitySource,
    private readonly bucket: Bucket,
  ) {}

  async select(
    mint: number,
    maxt: number,
    hints: SelectHints | null,
    matchers: Matcher[],
    read?: ReadScope,
  ): Promise<StorageSeries[]> {
    const tenant = matchers.find((m) => m.name === TENANT_LABEL && m.op === '=')?.value;
    const [found, deletions] = await Promise.all([
      this.inner.select(mint, maxt, hints, matchers, read),
      tenant === undefined ? Promise.resolve(null) : this.deletionsOf(tenant),
    ]);
    if (deletions === null || deletions.empty) return found;
    const out: StorageSeries[] = [];
    for (const s of found) {
      const intervals = deletions.intervalsWithin((n) => s.labels.get(n), mint, maxt);
      if (intervals.length === 0) out.push(s);
      else {
        const kept = withoutDeleted(s, intervals);
        if (kept !== null) out.push(kept);
      }
    }
    return out;
  }

  labelNames(mint: number, maxt: number, matchers: Matcher[], read?: ReadScope): Promise<string[]> {
    return this.inner.labelNames(mint, maxt, matchers, read);
  }

  labelValues(
    mint: number,
    maxt: number,
    name: string,
    matchers: Matcher[],
    read?: ReadScope,
  ): Promise<string[]> {
    return this.inner.labelValues(mint, maxt, name, matchers, read);
  }

  metadata(tenantId: string): Promise<Map<string, MetricMetadata[]>> {
    return this.inner.metadata(tenantId);
  }

  exemplars(mint: number, maxt: number, matcherSets: Matcher[][]): Promise<SeriesExemplars[]> {
    return this.inner.exemplars(mint, maxt, matcherSets);
  }

  headStatus(tenantId: string): Promise<TenantHeadStatus> {
    return this.inner.headStatus(tenantId);
  }

  cardinality(
    tenantId: string,
    matchers: readonly Matcher[],
    labelNames?: readonly string[],
  ): Promise<TenantCardinality> {
    return this.inner.cardinality(tenantId, matchers, labelNames);
  }

  userStats(tenantId: string): ReturnType<CardinalitySource['userStats']> {
    return this.inner.userStats(tenantId);
  }

  /** The tenant's requests; concurrent Selects of one tenant share one listing. */
  private deletionsOf(tenant: string): Promise<DeletionMatcher> {
    const inFlight = this.listing.get(tenant);
    if (inFlight) return inFlight;
    const p = (async () => {
      const requests: DeletionRequest[] = [];
      for (const id of await listDeletionRequestIds(this.bucket, tenant)) {
        const key = `${tenant}/${id}`;
        let r = this.known.get(key);
        if (r === undefined) {
          r = (await readDeletionRequest(this.bucket, tenant, id)) ?? undefined;
          if (r !== undefined) this.known.set(key, r);
        }
        if (r !== undefined) requests.push(r);
      }
      return new DeletionMatcher(requests);
    })().finally(() => this.listing.delete(tenant));
    this.listing.set(tenant, p);
    return p;
  }
}

function withoutDeleted(
  s: StorageSeries,
  intervals: readonly DeletedInterval[],
): StorageSeries | null {
  const ts: number[] = [];
  const vs: number[] = [];
  const ws: number[] = [];
  const weights = s.downsampled?.kind === 'avg' ? s.downsampled.weights : null;
  const it = s.iterator();
  let i = 0;
  while (it.next()) {
    if (!isDeleted(it.t, intervals)) {
      ts.push(it.t);
      vs.push(it.v);
      if (weights) ws.push(weights[i]);
    }
    i++;
  }
  if (ts.length === 0) return null;
  const t = Float64Array.from(ts);
  const v = Float64Array.from(vs);
  return {
    labels: s.labels,
    iterator: () => new TypedArrayIterator(t, v),
    samples: () => ({ ts: t, vs: v, n: t.length }),
    ...(s.downsampled
      ? {
          downsampled:
            s.downsampled.kind === 'avg'
              ? { kind: 'avg' as const, weights: Float64Array.from(ws) }
              : s.downsampled,
        }
      : {}),
  };
}
