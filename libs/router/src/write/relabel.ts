import { type Label, type Labels, compareStrings } from '@strata/tsdb';

/** The label every series gets with its tenant's id, as Thanos receive adds its tenant label. */
export const TENANT_LABEL = 'tenant_id';

/**
 * Returns `labels` with the tenant label set (overriding what the sender put there, so nobody
 * writes into another tenant's series) and the tenant's external labels added where the series
 * lacks them, as Prometheus applies external labels. `extra` must be sorted by name.
 */
export function withTenantLabels(labels: Labels, tenant: string, extra: Labels): Labels {
  const out: Label[] = [];
  let i = 0;
  let j = 0;
  let tenantDone = false;
  const pushTenant = () => {
    out.push({ name: TENANT_LABEL, value: tenant });
    tenantDone = true;
  };
  while (i < labels.length || j < extra.length) {
    const a = i < labels.length ? labels[i] : undefined;
    const b = j < extra.length ? extra[j] : undefined;
    const next = a && (!b || compareStrings(a.name, b.name) <= 0) ? a : (b as Label);
    if (!tenantDone && compareStrings(TENANT_LABEL, next.name) <= 0) {
      pushTenant();
      if (next.name === TENANT_LABEL) {
        if (a && a.name === TENANT_LABEL) i++;
        if (b && b.name === TENANT_LABEL) j++;
        continue;
      }
    }
    if (next === a) {
      out.push(a);
      i++;
      if (b && b.name === a.name) j++;
    } else {
      out.push(next);
      j++;
    }
  }
  if (!tenantDone) pushTenant();
  return out;
}

/** Sorted labels from a record, dropping empty values (they mean "absent" in Prometheus). */
export function sortedLabels(record: Readonly<Record<string, string>> | undefined): Labels {
  if (!record) return [];
  return Object.entries(record)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([name, value]) => ({ name, value }));
}
