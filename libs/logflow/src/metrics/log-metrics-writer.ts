import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, type Bus, BusClient } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { type EncodableSeries, encodeSamplesV1 } from '@strata/remote-write';
import { InjectPlatformConfig, type PlatformConfig } from '@strata/service-kit';
import { PipelineRegistry } from '../pipelines/pipeline-registry';

/** Label every `log_to_metric` series carries, so two pipelines of a tenant never write one series. */
export const LOG_PIPELINE_LABEL = 'log_pipeline';

/**
 * Writes every pipeline's `log_to_metric` counters as a remote write through the router in the
 * tenant's name (as the ruler writes recording rules), so the tenant's limits apply and the
 * series are queryable in PromQL like any other.
 */
@Injectable()
export class LogMetricsWriter implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('LogMetrics');
  private readonly client: BusClient;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(BUS) bus: Bus,
    @InjectPlatformConfig() config: PlatformConfig,
    private readonly registry: PipelineRegistry,
  ) {
    this.client = new BusClient(bus);
    this.intervalMs = config.STRATA_LOGFLOW_METRICS_INTERVAL_SECONDS * 1000;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.writeAll());
    }, this.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Writes the current totals of every tenant once. */
  async writeAll(now = Date.now()): Promise<void> {
    const byTenant = new Map<string, EncodableSeries[]>();
    for (const runner of this.registry.running().values()) {
      const { tenantId, pipeline } = runner.view;
      for (const s of runner.metricsSnapshot()) {
        const labels = [
          { name: '__name__', value: s.name },
          ...s.labels,
          { name: LOG_PIPELINE_LABEL, value: pipeline.name },
        ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        const list = byTenant.get(tenantId) ?? [];
        list.push({ labels, samples: [{ timestamp: now, value: s.value }] });
        byTenant.set(tenantId, list);
      }
    }
    for (const [tenantId, series] of byTenant) {
      try {
        const written = await this.client.askBinary(
          Subjects.routerWriteBinary,
          encodeSamplesV1(series),
          {
            tenantId,
            contentType: 'application/x-protobuf',
            contentEncoding: 'snappy',
            protocolVersion: '0.1.0',
          },
          { timeoutMs: 10_000 },
        );
        if (written.refused)
          this.log.warn(
            `the router refused log metrics of ${tenantId}: ${written.refused.message}`,
          );
      } catch (error) {
        this.log.warn(`writing log metrics of ${tenantId} failed: ${String(error)}`);
      }
    }
  }
}
