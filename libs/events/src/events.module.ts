import {
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  Optional,
} from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { EventsStreams } from '@strata/contracts';
import { parsedBatches } from '@strata/event-rules';
import {
  InjectPlatformConfig,
  type PlatformConfig,
  PLATFORM_CONFIG,
  ReadinessRegistry,
} from '@strata/service-kit';
import { AlertPublisher } from './alerts/alert-publisher';
import { ArchiveRetention } from './archive/archive-retention';
import { EventArchive } from './archive/event-archive';
import { EventsReplicas } from './control/events-replicas';
import { TenantDirectory } from './control/tenant-directory';
import { EventsController } from './bus/events.controller';
import { BatchEvaluator } from './evaluate/batch-evaluator';
import { BatchIngest } from './evaluate/batch-ingest';
import { EventsMetrics } from './events-metrics';
import { TenantRulesSource } from './rules/tenant-rules.source';

const RETENTION_EVERY_MS = 3_600_000;

/**
 * Declares the events streams, follows the control plane, applies the archive's retention hourly
 * and closes the archive last.
 */
@Injectable()
export class EventsLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Events');
  private timer: NodeJS.Timeout | null = null;
  private closeHandover: (() => void) | null = null;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @InjectPlatformConfig() private readonly config: PlatformConfig,
    private readonly archive: EventArchive,
    private readonly directory: TenantDirectory,
    private readonly retention: ArchiveRetention,
    private readonly replicas: EventsReplicas,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.ensureStream({
      ...EventsStreams.batches,
      subjects: [...EventsStreams.batches.subjects],
      storage: 'file',
      // Evaluation normally follows within seconds; a day covers an archive outage.
      maxAgeMs: 86_400_000,
    });
    await this.bus.ensureStream({
      ...EventsStreams.alerts,
      subjects: [...EventsStreams.alerts.subjects],
      storage: 'file',
    });
    this.readiness?.register('events-postgres', async () => {
      await this.archive.dataSource.query('SELECT 1');
      return { ok: true };
    });
    this.directory.start();
    await this.replicas.start();
    // A gateway in this process hands its parsed batches to this service's consumer.
    this.closeHandover = parsedBatches.open();
    const sweep = () =>
      void this.retention.sweep().then(
        ({ partitions, rows }) => {
          if (partitions.length > 0) this.log.log(`retention dropped ${partitions.join(', ')}`);
          for (const r of rows)
            this.log.log(`retention deleted ${r.deleted} ${r.kind} records of ${r.tenantId}`);
        },
        (error: unknown) => this.log.warn(`retention failed: ${String(error)}`),
      );
    sweep();
    this.timer = setInterval(sweep, RETENTION_EVERY_MS);
    this.log.log(
      `archiving ${this.config.STRATA_EVENTS_RETENTION_DAYS} days of events and audit events`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closeHandover?.();
    await this.replicas.stop();
    await this.directory.stop();
    await this.archive.close();
  }
}

/**
 * The events service: stores Kubernetes events and audit events the gateway accepted, evaluates
 * them with kube-events and kube-auditing rules, archives them in Postgres and raises alerts.
 */
@Module({
  controllers: [EventsController],
  providers: [
    {
      provide: EventArchive,
      inject: [PLATFORM_CONFIG],
      useFactory: (config: PlatformConfig) =>
        EventArchive.open({
          databaseUrl: config.DATABASE_URL,
          retentionDays: config.STRATA_EVENTS_RETENTION_DAYS,
        }),
    },
    EventsMetrics,
    TenantDirectory,
    EventsReplicas,
    TenantRulesSource,
    ArchiveRetention,
    AlertPublisher,
    BatchIngest,
    BatchEvaluator,
    EventsLifecycle,
  ],
})
export class EventsModule {}
