import {
  compareLabels,
  type Labels,
  type Matcher,
  type Querier,
  type Queryable,
  type SampleIterator,
  type SelectHints,
  type StorageSeries,
} from '@strata/promql';
import { TENANT_LABEL } from '@strata/contracts';
import { type ReadScope, type SeriesExemplars, type SeriesSource } from './series-source';
import { matcherAcceptsEmpty } from './matchers';

/** Raised when a query selects more series than the tenant may read at once. */
export class SeriesLimitError extends Error {
  constructor(readonly limit: number) {
    // Mimir's wording, so dashboards and alerts written against Mimir keep matching.
    super(`the query exceeded the maximum number of series (limit: ${limit})`);
    this.name = 'SeriesLimitError';
  }
}

/**
 * A tenant's view of a `SeriesSource`: every call carries `tenant_id="<tenant>"`, and results hide
 * that label, as Mimir shows no tenant label to its tenants. A caller's own `tenant_id` matchers
 * therefore see the label as absent (they match only when they accept ""), so no query, whatever
 * its matchers, reaches another tenant's series.
 */
export class TenantQueryable implements Queryable {
  private seriesSeen = 0;

  constructor(
    private readonly source: SeriesSource,
    readonly tenantId: string,
    /** Most series one query may select across its selectors; 0 means no limit. */
    private readonly maxSeries = 0,
    /** The request's partial response setting and the warnings its reads collect. */
    private readonly read?: ReadScope,
  ) {}

  /** The matchers to send to the source, or null when the caller's own tenant matchers exclude everything. */
  scope(matchers: readonly Matcher[]): Matcher[] | null {
    const out: Matcher[] = [];
    for (const m of matchers) {
      if (m.name !== TENANT_LABEL) out.push(m);
      else if (!matcherAcceptsEmpty(m)) return null;
    }
    out.push({ name: TENANT_LABEL, op: '=', value: this.tenantId });
    return out;
  }

  querier(mint: number, maxt: number): Querier {
    return {
      select: async (
        sortSeries: boolean,
        hints: SelectHints | null,
        ...matchers: Matcher[]
      ): Promise<StorageSeries[]> => {
        const scoped = this.scope(matchers);
        if (scoped === null) return [];
        const found = await this.source.select(mint, maxt, hints, scoped, this.read);
        this.seriesSeen += found.length;
        if (this.maxSeries > 0 && this.seriesSeen > this.maxSeries)
          throw new SeriesLimitError(this.maxSeries);
        const out = found.map((s) => hideTenant(s));
        // The engine relies on sorted input when it asks for it; the source may merge several stores.
        if (sortSeries) out.sort((a, b) => compareLabels(a.labels, b.labels));
        return out;
      },
      labelNames: async (...matchers: Matcher[]): Promise<string[]> => {
        const scoped = this.scope(matchers);
        if (scoped === null) return [];
        return (await this.source.labelNames(mint, maxt, scoped, this.read)).filter(
          (n) => n !== TENANT_LABEL,
        );
      },
      labelValues: async (name: string, ...matchers: Matcher[]): Promise<string[]> => {
        const scoped = this.scope(matchers);
        if (scoped === null || name === TENANT_LABEL) return [];
        return this.source.labelValues(mint, maxt, name, scoped, this.read);
      },
      close: (): void => {
        // The source holds nothing open per querier.
      },
    };
  }

  /** Exemplars of this tenant's series matching any matcher set, tenant label hidden. */
  async exemplars(
    mint: number,
    maxt: number,
    matcherSets: Matcher[][],
  ): Promise<SeriesExemplars[]> {
    const scoped = matcherSets
      .map((ms) => this.scope(ms))
      .filter((ms): ms is Matcher[] => ms !== null);
    if (scoped.length === 0) return [];
    const found = await this.source.exemplars(mint, maxt, scoped);
    return found.map((e) => {
      const { [TENANT_LABEL]: _hidden, ...seriesLabels } = e.seriesLabels;
      return { ...e, seriesLabels };
    });
  }
}

function hideTenant(s: StorageSeries): StorageSeries {
  if (!s.labels.has(TENANT_LABEL)) return s;
  const labels: Labels = s.labels.without(TENANT_LABEL);
  const out: StorageSeries = {
    labels,
    iterator: (): SampleIterator => s.iterator(),
    ...(s.downsampled ? { downsampled: s.downsampled } : {}),
  };
  if (s.samples !== undefined) {
    const samples = s.samples.bind(s);
    out.samples = () => samples();
  }
  if (s.decodeInto !== undefined) {
    const decodeInto = s.decodeInto.bind(s);
    out.decodeInto = (into) => decodeInto(into);
  }
  return out;
}
