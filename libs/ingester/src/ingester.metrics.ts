import { type StrataMetrics } from '@strata/service-kit';
import { type ApplyStats } from './head/partition-head';

/** What the ingester reports to metrics. */
export interface IngesterObserver {
  applied(tenant: string, stats: ApplyStats): void;
  /** A message that could not be applied at all (its series count, for the log's sake). */
  dropped(tenant: string, series: number): void;
  snapshotted(partition: number, bytes: number, seconds: number): void;
  activeSeries(byTenant: ReadonlyMap<string, number>): void;
  lag(partition: number, messages: number): void;
  owned(partitions: readonly number[]): void;
  /** Deliveries were lost on the way and the partition's consumer started again after the last applied message. */
  resynced(partition: number): void;
}

/** The ingester's metrics on the process registry. */
export function ingesterMetrics(metrics: StrataMetrics): IngesterObserver {
  const appended = metrics.counter(
    'ingester_samples_appended_total',
    'Samples appended to the head.',
    ['tenant'],
  );
  const rejected = metrics.counter(
    'ingester_samples_rejected_total',
    'Samples the head refused, by reason.',
    ['tenant', 'reason'],
  );
  // Mimir's `cortex_discarded_samples_total`: the routers count their refusals under the same name.
  const discarded = metrics.counter(
    'discarded_samples_total',
    "Samples not stored, by tenant and reason (ingester: refused by the tenant's head after the write was acknowledged).",
    ['tenant', 'reason'],
  );
  const exemplars = metrics.counter('ingester_exemplars_appended_total', 'Exemplars stored.', [
    'tenant',
  ]);
  const exemplarsOutOfOrder = metrics.counter(
    'ingester_exemplars_out_of_order_total',
    "Exemplars dropped for not being newer than their series' newest exemplar.",
    ['tenant'],
  );
  const snapshotBytes = metrics.gauge(
    'ingester_snapshot_bytes',
    'Size of the last head snapshot.',
    ['partition'],
  );
  const snapshotSeconds = metrics.histogram(
    'ingester_snapshot_seconds',
    'Time to encode and durably write a head snapshot.',
    [],
    [0.01, 0.05, 0.1, 0.5, 1, 5, 10],
  );
  const active = metrics.gauge(
    'ingester_active_series',
    'Series held in the heads of this instance.',
    ['tenant'],
  );
  const lag = metrics.gauge(
    'ingester_partition_lag_messages',
    'Messages of the partition not yet applied.',
    ['partition'],
  );
  const owned = metrics.gauge(
    'ingester_owned_partitions',
    'Partitions this instance holds the lease of.',
  );
  const resyncs = metrics.counter(
    'ingester_consumer_resyncs_total',
    "Times a partition's consumer was replaced because deliveries were lost on the way.",
    ['partition'],
  );
  let reportedTenants = new Set<string>();
  let ownedPartitions = new Set<string>();
  return {
    applied(tenant, stats) {
      if (stats.appended > 0) appended.inc({ tenant }, stats.appended);
      if (stats.rejected)
        for (const [t, reasons] of stats.rejected)
          for (const [reason, n] of reasons) {
            rejected.inc({ tenant: t, reason }, n);
            discarded.inc({ tenant: t, reason }, n);
          }
      if (stats.exemplarsAppended > 0) exemplars.inc({ tenant }, stats.exemplarsAppended);
      if (stats.exemplarsOutOfOrder > 0)
        exemplarsOutOfOrder.inc({ tenant }, stats.exemplarsOutOfOrder);
    },
    dropped(tenant) {
      rejected.inc({ tenant, reason: 'apply_failed' });
    },
    snapshotted(partition, bytes, seconds) {
      snapshotBytes.set({ partition: String(partition) }, bytes);
      snapshotSeconds.observe(seconds);
    },
    activeSeries(byTenant) {
      for (const t of reportedTenants) if (!byTenant.has(t)) active.remove({ tenant: t });
      for (const [tenant, n] of byTenant) active.set({ tenant }, n);
      reportedTenants = new Set(byTenant.keys());
    },
    lag(partition, messages) {
      lag.set({ partition: String(partition) }, messages);
    },
    owned(partitions) {
      const now = new Set(partitions.map(String));
      for (const p of ownedPartitions) if (!now.has(p)) lag.remove({ partition: p });
      ownedPartitions = now;
      owned.set(partitions.length);
    },
    resynced(partition) {
      resyncs.inc({ partition: String(partition) });
    },
  };
}
