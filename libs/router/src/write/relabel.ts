import { type InjectedLabel, LabelInjection } from '@strata/remote-write';
import { type Labels, compareStrings } from '@strata/tsdb';
import { TENANT_LABEL } from '@strata/contracts';

/**
 * The labels the router adds to each of a tenant's series: the tenant label, overriding what the
 * sender put there so nobody writes into another tenant's series, and the tenant's external
 * labels where the series lacks them, as Prometheus applies external labels.
 */
export function tenantLabelInjection(tenant: string, externalLabels: Labels): LabelInjection {
  const labels: InjectedLabel[] = externalLabels
    .filter((l) => l.name !== TENANT_LABEL)
    .map((l) => ({ name: l.name, value: l.value, override: false }));
  labels.push({ name: TENANT_LABEL, value: tenant, override: true });
  return new LabelInjection(labels);
}

/** Sorted labels from a record, dropping empty values (they mean "absent" in Prometheus). */
export function sortedLabels(record: Readonly<Record<string, string>> | undefined): Labels {
  if (!record) return [];
  return Object.entries(record)
    .filter(([, v]) => v !== '')
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([name, value]) => ({ name, value }));
}
