import {
  Inject,
  Injectable,
  Logger,
  Module,
  type BeforeApplicationShutdown,
  type DynamicModule,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import Fastify, { type FastifyInstance } from 'fastify';
import { StrataMetrics } from '../metrics/metrics';
import { registerHealthRoutes } from './health-routes';
import { ReadinessRegistry } from './readiness';

/** Where the health server listens; port 0 picks a free one (tests). */
export interface HealthHttpOptions {
  port: number;
  host: string;
}

const OPTIONS = Symbol.for('@strata/health-http:options');

/**
 * The internal HTTP listener of every process: /metrics (one registry for all the services the
 * process runs), /healthz and /readyz. Apart from the gateway's public port, as in Thanos and Mimir,
 * because the platform's metrics name tenants.
 */
@Injectable()
export class HealthHttpServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('HealthHttp');
  private app: FastifyInstance | null = null;

  constructor(
    @Inject(OPTIONS) private readonly options: HealthHttpOptions,
    private readonly readiness: ReadinessRegistry,
    private readonly metrics: StrataMetrics,
  ) {}

  /** The bound address, once listening. */
  url(): string {
    const address = this.app?.server.address();
    if (!address || typeof address === 'string') throw new Error('health server is not listening');
    return `http://${this.options.host === '0.0.0.0' ? '127.0.0.1' : this.options.host}:${address.port}`;
  }

  async onApplicationBootstrap(): Promise<void> {
    const app = Fastify({ logger: false });
    registerHealthRoutes(app, this.readiness, this.metrics);
    await app.listen({ port: this.options.port, host: this.options.host });
    this.app = app;
    this.log.debug(`metrics and health on ${this.url()}`);
  }

  // Closed before the bus drains, so probes see the process go away instead of hanging on it.
  async beforeApplicationShutdown(): Promise<void> {
    await this.app?.close();
    this.app = null;
  }
}

/** Serves /metrics, /healthz and /readyz on `HEALTH_PORT`. */
@Module({})
export class HealthHttpModule {
  /** Listens on `options.host:options.port` from bootstrap until shutdown. */
  static forRoot(options: HealthHttpOptions): DynamicModule {
    return {
      module: HealthHttpModule,
      providers: [{ provide: OPTIONS, useValue: options }, HealthHttpServer],
      exports: [HealthHttpServer],
    };
  }
}
