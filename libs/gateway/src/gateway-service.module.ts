import {
  type BeforeApplicationShutdown,
  type DynamicModule,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { BUS, type Bus, KV, type KvProvider } from '@strata/bus';
import { type Bucket, bucketConfigFromEnv, openBucket } from '@strata/objstore';
import {
  defineService,
  PLATFORM_CONFIG,
  type PlatformConfig,
  ReadinessRegistry,
  StrataMetrics,
} from '@strata/service-kit';
import { type RunningGateway, startGateway } from './start-gateway';

/** Runs the gateway's HTTP server inside a Strata process, on the process's bus, metrics and readiness. */
@Injectable()
export class GatewayServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private running: RunningGateway | null = null;
  private bucket: Bucket | null = null;

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(KV) private readonly kv: KvProvider,
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    private readonly metrics: StrataMetrics,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** The running gateway, once the process has started. */
  get gateway(): RunningGateway | null {
    return this.running;
  }

  async onApplicationBootstrap(): Promise<void> {
    this.bucket = openBucket(bucketConfigFromEnv(this.config));
    this.running = await startGateway({
      config: this.config,
      bus: this.bus,
      kv: this.kv,
      bucket: this.bucket,
      registry: this.metrics.registry,
      readiness: this.readiness,
      logger: 'inherit',
    });
    new Logger('gateway').log(
      `HTTP API on ${this.running.url} (REST /api/v1/admin, GraphQL /graphql, OpenAPI /api/docs)`,
    );
  }

  // Before the bus drains, so in-flight requests can still reach the control plane.
  async beforeApplicationShutdown(): Promise<void> {
    await this.running?.close();
    this.running = null;
    await this.bucket?.close();
    this.bucket = null;
  }
}

/** The gateway as a service module of a Strata process (what `--target=gateway` runs). */
@Module({})
export class GatewayServiceModule {
  /** Needs the process's BusModule, PlatformConfigModule, MetricsModule and ServiceHealthModule. */
  static forRoot(): DynamicModule {
    return { module: GatewayServiceModule, providers: [GatewayServer], exports: [GatewayServer] };
  }
}

/** The gateway's service definition, registered by name `gateway` in the all-in-one app. */
export const gatewayService = defineService('gateway', () => GatewayServiceModule.forRoot());
