import {
  Controller,
  Inject,
  Injectable,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Ctx, MessagePattern } from '@nestjs/microservices';
import {
  BUS,
  BUS_ROUTES,
  BusContext,
  requestRoute,
  type Bus,
  type BusRoutes,
  type Stoppable,
} from '@strata/bus';
import {
  Subjects,
  SubjectPatterns,
  type ServiceHealth,
  type ServiceInfo,
  type ServiceName,
} from '@strata/contracts';
import { INSTANCE_IDENTITY, type InstanceIdentity } from './instance';
import { ReadinessRegistry } from './readiness';

const SERVICES = Symbol.for('@strata/health:services');

/** Health and info of the services this process runs, as the bus answers them. */
@Injectable()
export class ServiceHealthReporter {
  constructor(
    @Inject(INSTANCE_IDENTITY) private readonly identity: InstanceIdentity,
    private readonly readiness: ReadinessRegistry,
  ) {}

  /** The health reply of `service` on this instance. */
  async health(service: ServiceName): Promise<ServiceHealth> {
    const { ready, checks } = await this.readiness.run();
    return {
      service,
      instanceId: this.identity.instanceId,
      status: ready ? 'ok' : 'degraded',
      checks,
    };
  }

  /** The info reply of `service` on this instance. */
  info(service: ServiceName): ServiceInfo {
    const { instanceId, version, startedAt, pid, hostname } = this.identity;
    return { service, instanceId, version, startedAt, pid, hostname };
  }
}

// No queue group: a health probe wants to hear from every instance.
const everyInstance = requestRoute({ queueGroup: null, manual: true });

/** Answers health and info requests for the services of this process, opened per service. */
@Controller()
export class ServiceHealthController implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly opened: Stoppable[] = [];
  private readonly log = new Logger('Strata');
  private readonly bySubject = new Map<string, ServiceName>();

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(BUS_ROUTES) private readonly routes: BusRoutes,
    @Inject(SERVICES) private readonly services: readonly ServiceName[],
    private readonly reporter: ServiceHealthReporter,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register('bus', () => ({
      ok: this.bus.isConnected(),
      ...(this.bus.isConnected() ? {} : { detail: 'not connected to NATS' }),
    }));
    for (const service of this.services) {
      for (const [pattern, subject] of [
        [SubjectPatterns.serviceHealth, Subjects.serviceHealth(service)],
        [SubjectPatterns.serviceInfo, Subjects.serviceInfo(service)],
      ] as const) {
        this.bySubject.set(subject, service);
        this.opened.push(this.routes.open(pattern, subject));
      }
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.log.log(`stopping ${this.services.join(', ')}: closing HTTP, draining the bus`);
    this.readiness.markStopping();
    await Promise.all(this.opened.splice(0).map((s) => s.stop()));
  }

  @MessagePattern(SubjectPatterns.serviceHealth, everyInstance)
  health(@Ctx() ctx: BusContext): Promise<ServiceHealth> {
    return this.reporter.health(this.serviceOf(ctx));
  }

  @MessagePattern(SubjectPatterns.serviceInfo, everyInstance)
  info(@Ctx() ctx: BusContext): ServiceInfo {
    return this.reporter.info(this.serviceOf(ctx));
  }

  private serviceOf(ctx: BusContext): ServiceName {
    const service = this.bySubject.get(ctx.subject);
    if (!service)
      throw new Error(`health asked on ${ctx.subject}, which this process never opened`);
    return service;
  }
}

/** Health and info over the bus for the services of this process, plus the shared readiness registry. */
@Module({})
export class ServiceHealthModule {
  /** Serves `Subjects.serviceHealth` and `Subjects.serviceInfo` for each of `services`. */
  static forRoot(services: readonly ServiceName[], identity: InstanceIdentity): DynamicModule {
    return {
      module: ServiceHealthModule,
      global: true,
      controllers: [ServiceHealthController],
      providers: [
        { provide: SERVICES, useValue: services },
        { provide: INSTANCE_IDENTITY, useValue: identity },
        ReadinessRegistry,
        ServiceHealthReporter,
      ],
      exports: [ReadinessRegistry, ServiceHealthReporter, INSTANCE_IDENTITY],
    };
  }
}
