import { randomUUID } from 'node:crypto';
import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { type LogRecord, StrataError } from '@strata/contracts';
import { lineBytes, SyslogListener, type SyslogStoreOutcome } from '@strata/log-sources';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { LogIngest } from './log-ingest.service';

/**
 * The syslog listeners of `STRATA_LOGS_SYSLOG`, one per configured port, opened with the
 * gateway and closed after it stopped taking requests. Each port belongs to one tenant; its
 * flushes pass the same limits and the same store as the HTTP sources.
 */
@Injectable()
export class SyslogListeners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('SyslogListeners');
  readonly listeners: SyslogListener[];

  constructor(
    private readonly ingest: LogIngest,
    private readonly admission: TenantAdmission,
  ) {
    const config = ingest.config;
    this.listeners = config.syslog.map(
      (spec) =>
        new SyslogListener(spec, {
          host: config.syslogHost,
          maxLineBytes: config.maxLineBytes,
          flushLines: config.syslogFlushLines,
          flushMs: config.syslogFlushMs,
          store: (tenantId, batchId, records) => this.store(tenantId, batchId, records),
          onDrop: (reason, lines) => ingest.metrics.refused('syslog', spec.tenantId, reason, lines),
        }),
    );
  }

  /** Opens every listener; a port that cannot be bound fails the start. */
  async onApplicationBootstrap(): Promise<void> {
    for (const l of this.listeners) {
      await l.start();
      this.log.log(`syslog ${l.spec.protocol}:${l.port} for tenant ${l.spec.tenantId}`);
    }
  }

  /** Stores what was read and closes. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.all(this.listeners.map((l) => l.stop()));
  }

  private async store(
    tenantId: string,
    batchId: string,
    records: LogRecord[],
  ): Promise<SyslogStoreOutcome> {
    const requestId = randomUUID();
    try {
      await this.admission.requireActive(tenantId, requestId);
    } catch (error) {
      if (
        error instanceof StrataError &&
        (error.code === 'tenant_unknown' || error.code === 'tenant_suspended')
      )
        return { ok: false, reason: error.code, retryAfterMs: null };
      throw error;
    }
    const bytes = lineBytes(records);
    const admission = await this.ingest.admit(tenantId, bytes, requestId);
    if (!admission.ok)
      return {
        ok: false,
        reason: admission.reason,
        // A day's quota is gone until midnight: dropping beats holding the senders that long.
        retryAfterMs:
          admission.reason === 'log_daily_quota' ? null : admission.retryAfterSeconds * 1000,
      };
    try {
      await this.ingest.store({
        tenantId,
        batchId,
        source: 'syslog',
        receivedAt: Date.now(),
        records,
      });
      return { ok: true };
    } catch (error) {
      await this.ingest.refund(tenantId, bytes, requestId);
      throw error;
    }
  }
}
