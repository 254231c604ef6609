import { type StrataMetrics } from '@strata/service-kit';
import { type TenantCycleResult } from './cycle/tenant-cycle';

/** What the compactor reports to metrics, per tenant. */
export interface CompactorObserver {
  cycled(tenant: string, result: TenantCycleResult): void;
  failed(tenant: string): void;
}

/** The compactor's metrics on the process registry (Thanos' `thanos_compact_*` as the model). */
export function compactorMetrics(metrics: StrataMetrics): CompactorObserver {
  const compactions = metrics.counter('compactor_compactions_total', 'Blocks made by compaction.', [
    'tenant',
    'level',
  ]);
  const duration = metrics.histogram(
    'compactor_compaction_duration_seconds',
    'Time to merge, write, upload and mark one compaction.',
    ['tenant'],
    [0.1, 0.5, 1, 5, 15, 60, 300, 1800],
  );
  const marked = metrics.counter(
    'compactor_blocks_marked_for_deletion_total',
    'Blocks marked for deletion, by why.',
    ['tenant', 'reason'],
  );
  const deleted = metrics.counter(
    'compactor_blocks_deleted_total',
    'Marked blocks deleted after the delete delay.',
    ['tenant'],
  );
  const abandoned = metrics.counter(
    'compactor_abandoned_uploads_removed_total',
    'Block folders without meta.json removed after the partial-upload age.',
    ['tenant'],
  );
  const halted = metrics.gauge(
    'compactor_halted',
    'Whether compaction of the tenant is halted (1) until an operator acts.',
    ['tenant'],
  );
  const noCompact = metrics.gauge(
    'compactor_blocks_no_compact',
    'Blocks left out of compaction by a no-compact-mark.json.',
    ['tenant'],
  );
  const failures = metrics.counter(
    'compactor_cycle_failures_total',
    'Cycles over a tenant that failed and will be retried.',
    ['tenant'],
  );
  return {
    cycled(tenant, r) {
      for (const c of r.compactions) {
        compactions.inc({ tenant, level: String(c.level) });
        duration.observe({ tenant }, c.seconds);
      }
      if (r.marked.covered > 0) marked.inc({ tenant, reason: 'covered' }, r.marked.covered);
      if (r.marked.retention > 0) marked.inc({ tenant, reason: 'retention' }, r.marked.retention);
      if (r.rewrites.length > 0) marked.inc({ tenant, reason: 'rewritten' }, r.rewrites.length);
      const compactedSources = r.compactions.reduce((n, c) => n + c.sources, 0);
      if (compactedSources > 0) marked.inc({ tenant, reason: 'compacted' }, compactedSources);
      if (r.deleted > 0) deleted.inc({ tenant }, r.deleted);
      if (r.abandonedUploadsRemoved > 0) abandoned.inc({ tenant }, r.abandonedUploadsRemoved);
      halted.set({ tenant }, r.halted === undefined ? 0 : 1);
      noCompact.set({ tenant }, r.noCompact.length);
    },
    failed(tenant) {
      failures.inc({ tenant });
    },
  };
}
