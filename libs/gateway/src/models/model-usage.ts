import { Gauge, type Registry } from 'prom-client';

const STORED = 'strata_model_storage_bytes';

/**
 * The per-tenant usage series, `strata_model_storage_bytes{tenant}` (deduplicated blob bytes), in
 * the gateway's registry: served on the internal metrics listener, so PromQL over the platform's
 * own metrics sees each tenant's model storage against its `modelStorageBytes` quota.
 */
export function modelUsageGauge(registry: Registry): (tenant: string, bytes: number) => void {
  // A shared registry may already hold the gauge from an earlier gateway of the same process.
  const gauge =
    (registry.getSingleMetric(STORED) as Gauge<'tenant'> | undefined) ??
    new Gauge({
      name: STORED,
      help: 'Bytes of model blobs a tenant stores, each digest counted once.',
      labelNames: ['tenant'],
      registers: [registry],
    });
  return (tenant, bytes) => gauge.set({ tenant }, bytes);
}
