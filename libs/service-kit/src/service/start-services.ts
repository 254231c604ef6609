import {
  Logger,
  Module,
  type DynamicModule,
  type INestMicroservice,
  type LoggerService,
} from '@nestjs/common';
import {
  BUS,
  BusModule,
  BusTransportModule,
  createBusMicroservice,
  type Bus,
  type BusTransport,
} from '@strata/bus';
import { SERVICE_NAMES, type ServiceName } from '@strata/contracts';
import { PlatformConfigModule } from '../config/platform-config.module';
import { type PlatformConfig } from '../config/platform-config';
import { natsConnectionOptions } from '../config/nats-connection';
import { HealthHttpModule, HealthHttpServer } from '../health/health-http.module';
import { createInstanceIdentity, type InstanceIdentity } from '../health/instance';
import { ServiceHealthModule } from '../health/service-health.module';
import { busMetricsObserver } from '../metrics/bus-metrics';
import { StrataMetrics } from '../metrics/metrics';
import { MetricsModule } from '../metrics/metrics.module';
import { type ServiceDefinition } from './define-service';
import { busLoggerFor, createProcessLogger } from './nest-logging';

/** What a process runs and how. */
export interface StartServicesOptions {
  config: PlatformConfig;
  services: readonly ServiceDefinition[];
  /** Stop on SIGINT/SIGTERM (drain the bus, close HTTP); off in tests that stop explicitly. */
  handleSignals?: boolean;
  /** Serve /metrics, /healthz, /readyz on HEALTH_PORT, the internal listener (default on, whatever the services). */
  healthHttp?: boolean;
  logger?: LoggerService;
}

/** A started process: its Nest context, identity and a clean stop. */
export interface RunningServices {
  readonly app: INestMicroservice;
  readonly services: readonly ServiceName[];
  readonly identity: InstanceIdentity;
  /** URL of the internal listener (/metrics, /healthz, /readyz), when this process runs one. */
  readonly healthUrl: string | null;
  /** Stops the services, closes HTTP, drains the bus. */
  stop(): Promise<void>;
}

/** Root of every Strata process; its imports are chosen at start. */
@Module({})
class StrataProcessModule {}

/** The root module of a process running `services`: shared infrastructure first, then each feature module. */
export function composeProcessModule(
  config: PlatformConfig,
  services: readonly ServiceDefinition[],
  identity: InstanceIdentity,
  options: {
    healthHttp: boolean;
    busName: string;
    logger: ReturnType<typeof createProcessLogger>;
    transport: BusTransport;
  },
): DynamicModule {
  const names = services.map((s) => s.name);
  return {
    module: StrataProcessModule,
    imports: [
      BusTransportModule.forTransport(options.transport),
      PlatformConfigModule.forRoot(config),
      MetricsModule.forRoot({ instance: identity.instanceId }),
      BusModule.forRootAsync({
        inject: [StrataMetrics],
        useFactory: (metrics: StrataMetrics) => ({
          url: config.NATS_URL,
          name: options.busName,
          ...natsConnectionOptions(config, names),
          waitOnFirstConnect: true,
          logger: busLoggerFor(options.logger),
          observer: busMetricsObserver(metrics),
          replicas: config.STRATA_JETSTREAM_REPLICAS,
        }),
      }),
      ServiceHealthModule.forRoot(names, identity),
      ...(options.healthHttp
        ? [HealthHttpModule.forRoot({ port: config.HEALTH_PORT, host: config.HTTP_HOST })]
        : []),
      ...services.map((s) => s.module(config)),
    ],
  };
}

/** Starts `services` in this process and logs one line saying what runs where. */
export async function startServices(options: StartServicesOptions): Promise<RunningServices> {
  const { config, services } = options;
  const names = services.map((s) => s.name);
  if (names.length === 0) throw new Error('no services to run');
  const duplicates = names.filter((n, i) => names.indexOf(n) !== i);
  if (duplicates.length > 0) throw new Error(`services named twice: ${duplicates.join(', ')}`);
  const identity = createInstanceIdentity();
  const nats = natsConnectionOptions(config, names);
  const processLogger = createProcessLogger(config.LOG_LEVEL);
  const healthHttp = options.healthHttp ?? true;
  const label = names.length === SERVICE_NAMES.length ? 'all' : names.join(',');
  const { app } = await createBusMicroservice(
    (transport) =>
      composeProcessModule(config, services, identity, {
        healthHttp,
        busName: `strata[${label}]@${identity.instanceId}`,
        logger: processLogger,
        transport,
      }),
    (created) => created.get<Bus>(BUS),
    { logger: options.logger ?? processLogger },
  );
  // Bootstrap hooks run here, then every controller's handlers are bound.
  await app.listen().catch(async (error: unknown) => {
    await app.close();
    throw error;
  });
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => (stopping ??= app.close());
  if (options.handleSignals ?? true) {
    // Not Nest's shutdown hooks: those drain the bus before the transport stops serving.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => void stop().finally(() => process.kill(process.pid, signal)));
    }
  }
  const healthUrl = healthHttp ? app.get(HealthHttpServer).url() : null;
  new Logger('Strata').log(
    `strata ${identity.version} (${identity.instanceId}) running ${names.join(', ')}; NATS ${config.NATS_URL} as ${nats.user ?? 'anonymous'}` +
      (healthUrl ? `; health and metrics on ${healthUrl}` : ''),
  );
  return { app, services: names, identity, healthUrl, stop };
}
