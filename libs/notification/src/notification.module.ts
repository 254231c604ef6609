import { Inject, Injectable, type DynamicModule, Module, type OnModuleInit } from '@nestjs/common';
import { BUS, type Bus } from '@strata/bus';
import { EventsStreams, LogflowStreams, Streams } from '@strata/contracts';
import { Alertmanagers } from './alertmanagers.service';
import { NotificationController } from './notification.controller';
import { NotificationMetrics } from './notification.metrics';
import { NOTIFICATION_OPTIONS, type NotificationOptions } from './notification.options';

/** Declares the streams of alerts notification consumes (the ruler's, the events service's, logflow's) before its consumers bind. */
@Injectable()
class AlertStreams implements OnModuleInit {
  constructor(@Inject(BUS) private readonly bus: Bus) {}
  async onModuleInit(): Promise<void> {
    // The ruler's settings (libs/ruler's RulerService): whichever starts first creates it alike.
    await this.bus.ensureStream({
      name: Streams.rulerAlerts.name,
      subjects: [...Streams.rulerAlerts.subjects],
      storage: 'file',
      maxAgeMs: 24 * 3600_000,
      duplicateWindowMs: 120_000,
    });
    // The events service may start later, or not run at all in this process.
    await this.bus.ensureStream({
      ...EventsStreams.alerts,
      subjects: [...EventsStreams.alerts.subjects],
      storage: 'file',
    });
    // Logflow's settings (its LogAlertPublisher), for the same reason.
    await this.bus.ensureStream({
      ...LogflowStreams.alerts,
      subjects: [...LogflowStreams.alerts.subjects],
      storage: 'file',
      duplicateWindowMs: 120_000,
    });
  }
}

/**
 * The notification service: every tenant's Alertmanager (routing, grouping, inhibition, silences,
 * notification log, webhook delivery with retries, history), served over the bus.
 */
@Module({})
export class NotificationModule {
  /** The module with its options (external URL, history retention). */
  static forRoot(options: NotificationOptions): DynamicModule {
    return {
      module: NotificationModule,
      controllers: [NotificationController],
      providers: [
        { provide: NOTIFICATION_OPTIONS, useValue: options },
        AlertStreams,
        Alertmanagers,
        NotificationMetrics,
      ],
    };
  }
}
