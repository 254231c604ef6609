import { type Exemplar } from '@strata/remote-write';
import { ExemplarStorage, type Matcher, type SeriesExemplars } from '@strata/tsdb';

/** One stored exemplar with its series and tenant, as snapshots carry it. */
export interface TenantExemplar {
  readonly tenant: string;
  /** The series' labels flattened as name, value, name, value. */
  readonly pairs: readonly string[];
  readonly exemplar: Exemplar;
}

/**
 * A partition's exemplars: a ring per tenant, so one tenant's flood of exemplars never overwrites
 * another's.
 */
export class TenantExemplars {
  private readonly byTenant = new Map<string, ExemplarStorage>();

  /** `capacity` exemplars per tenant; 0 keeps none. */
  constructor(readonly capacity: number) {}

  /** Stores an exemplar (see {@link ExemplarStorage.add}); false when ignored or disabled. */
  add(tenant: string, pairs: readonly string[], exemplar: Exemplar): boolean {
    if (this.capacity === 0) return false;
    let storage = this.byTenant.get(tenant);
    if (!storage) {
      storage = new ExemplarStorage(this.capacity);
      this.byTenant.set(tenant, storage);
    }
    return storage.add(pairs, exemplar);
  }

  /** The tenant's exemplars in [mint, maxt] of series matching any matcher set. */
  select(
    tenant: string,
    mint: number,
    maxt: number,
    matcherSets: readonly (readonly Matcher[])[],
  ): SeriesExemplars[] {
    return this.byTenant.get(tenant)?.select(mint, maxt, matcherSets) ?? [];
  }

  /** Every exemplar held, oldest first per tenant. */
  *entries(): IterableIterator<TenantExemplar> {
    for (const [tenant, storage] of this.byTenant)
      for (const e of storage.entries()) yield { tenant, pairs: e.pairs, exemplar: e.exemplar };
  }
}
