import { Injectable } from '@nestjs/common';
import { EVENT_RECORD_KINDS } from '@strata/contracts';
import { TenantDirectory } from '../control/tenant-directory';
import { EventsMetrics } from '../events-metrics';
import { EventArchive } from './event-archive';

/** What one sweep removed: whole day partitions, and rows per tenant and kind. */
export interface RetentionSweep {
  readonly partitions: readonly string[];
  readonly rows: ReadonlyArray<{ tenantId: string; kind: string; deleted: number }>;
}

/**
 * The archive's retention: day partitions past the platform's window are dropped whole, then each
 * tenant with records loses those older than its own `eventsRetentionSeconds` when that is shorter.
 */
@Injectable()
export class ArchiveRetention {
  constructor(
    private readonly archive: EventArchive,
    private readonly directory: TenantDirectory,
    private readonly metrics: EventsMetrics,
  ) {}

  /** One sweep; the service runs it hourly. */
  async sweep(now = Date.now()): Promise<RetentionSweep> {
    const partitions = await this.archive.applyRetention(now);
    const rows: Array<{ tenantId: string; kind: string; deleted: number }> = [];
    for (const kind of EVENT_RECORD_KINDS) {
      for (const tenantId of await this.archive.tenants(kind)) {
        const { eventsRetentionSeconds } = await this.directory.quota(tenantId);
        const deleted = await this.archive.applyTenantRetention(
          kind,
          tenantId,
          eventsRetentionSeconds,
          now,
        );
        if (deleted === 0) continue;
        this.metrics.expired(tenantId, kind, deleted);
        rows.push({ tenantId, kind, deleted });
      }
    }
    return { partitions, rows };
  }
}
