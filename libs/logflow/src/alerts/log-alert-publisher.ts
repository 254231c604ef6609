import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { type LogAlerts, LogflowStreams, LogflowSubjects } from '@strata/contracts';
import { InjectPlatformConfig, type PlatformConfig } from '@strata/service-kit';
import { PipelineRegistry } from '../pipelines/pipeline-registry';

/** A firing alert's `endsAt` lies this many evaluation intervals ahead, as Prometheus' resend does. */
const RESEND_INTERVALS = 4;

/**
 * Evaluates every pipeline's log alert rules each interval and publishes what fires or resolves
 * to `STRATA_LOG_ALERTS`, which the notification service consumes like the events service's
 * alerts. Alerts carry `alertname`, `alerttype=log`, `log_pipeline` and the rule's labels.
 */
@Injectable()
export class LogAlertPublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('LogAlerts');
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @InjectPlatformConfig() config: PlatformConfig,
    private readonly registry: PipelineRegistry,
  ) {
    this.intervalMs = config.STRATA_LOGFLOW_METRICS_INTERVAL_SECONDS * 1000;
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.ensureStream({
      ...LogflowStreams.alerts,
      subjects: [...LogflowStreams.alerts.subjects],
      storage: 'file',
      duplicateWindowMs: 120_000,
    });
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.evaluateAll());
    }, this.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Evaluates and publishes once. */
  async evaluateAll(now = Date.now()): Promise<void> {
    for (const runner of this.registry.running().values()) {
      const { tenantId, pipeline } = runner.view;
      const updates = runner.evaluateAlerts(now, RESEND_INTERVALS * this.intervalMs);
      if (updates.length === 0) continue;
      const batch: LogAlerts = {
        tenantId,
        alerts: updates.map((u) => ({
          labels: { ...u.labels, alerttype: 'log', log_pipeline: pipeline.name },
          annotations: u.annotations,
          startsAt: u.startsAt,
          endsAt: u.endsAt,
        })),
      };
      try {
        await this.bus.publish(LogflowSubjects.alerts(tenantId), batch, {
          msgId: `${tenantId}/${pipeline.name}/${now}`,
        });
      } catch (error) {
        this.log.warn(`publishing log alerts of ${tenantId} failed: ${String(error)}`);
      }
    }
  }
}
