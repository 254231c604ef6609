import { Injectable } from '@nestjs/common';
import { type LogSourceKind } from '@strata/contracts';
import { Counter, type Registry } from 'prom-client';
import { GatewayMetrics } from '../ops/gateway-metrics';

const LINES = 'strata_logs_source_lines_total';
const BYTES = 'strata_logs_source_stored_bytes_total';

/**
 * What the log sources took and refused, per source and tenant: `outcome` is `stored`, or the
 * reason a line was not (`log_rate_limited`, `log_daily_quota`, `invalid_utf8`, `line_too_long`,
 * `malformed`, `udp_overflow`, ...). Refusals of a whole request count its lines when they are
 * known, else 1.
 */
@Injectable()
export class LogSourceMetrics {
  private readonly lines: Counter<'source' | 'tenant' | 'outcome'>;
  private readonly bytes: Counter<'source' | 'tenant'>;

  constructor(metrics: GatewayMetrics) {
    const registry: Registry = metrics.registry;
    this.lines =
      (registry.getSingleMetric(LINES) as typeof this.lines | undefined) ??
      new Counter({
        name: LINES,
        help: 'Log lines the sources stored in STRATA_LOGS or refused, by source, tenant and outcome.',
        labelNames: ['source', 'tenant', 'outcome'],
        registers: [registry],
      });
    this.bytes =
      (registry.getSingleMetric(BYTES) as typeof this.bytes | undefined) ??
      new Counter({
        name: BYTES,
        help: 'Bytes of log lines the sources stored in STRATA_LOGS, by source and tenant.',
        labelNames: ['source', 'tenant'],
        registers: [registry],
      });
  }

  /** Counts lines stored. */
  stored(source: LogSourceKind, tenant: string, lines: number, bytes: number): void {
    this.lines.inc({ source, tenant, outcome: 'stored' }, lines);
    this.bytes.inc({ source, tenant }, bytes);
  }

  /** Counts lines refused or dropped for `reason`. */
  refused(source: LogSourceKind, tenant: string, reason: string, lines: number): void {
    this.lines.inc({ source, tenant, outcome: reason }, lines);
  }
}
