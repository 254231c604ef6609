import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { BUS, type Bus, type Stoppable } from '@strata/bus';
import { Subjects, type ServiceHealth, type ServiceInfo, type ServiceName } from '@strata/contracts';
import { INSTANCE_IDENTITY, type InstanceIdentity } from './instance';
import { ReadinessRegistry } from './readiness';

const SERVICES = Symbol.for('@strata/health:services');

/** Answers health and info requests for every service this process runs; every instance answers. */
@Injectable()
export class ServiceHealthResponder implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly serving: Stoppable[] = [];
  private readonly log = new Logger('Strata');

  constructor(
    @Inject(BUS) private readonly bus: Bus,
    @Inject(SERVICES) private readonly services: readonly ServiceName[],
    @Inject(INSTANCE_IDENTITY) private readonly identity: InstanceIdentity,
    private readonly readiness: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register('bus', () => ({ ok: this.bus.isConnected(), ...(this.bus.isConnected() ? {} : { detail: 'not connected to NATS' }) }));
    for (const service of this.services) {
      // No queue group: a health probe wants to hear from every instance.
      this.serving.push(this.bus.serve(Subjects.serviceHealth(service), null, () => this.health(service)));
      this.serving.push(this.bus.serve(Subjects.serviceInfo(service), null, async () => this.info(service)));
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.log.log(`stopping ${this.services.join(', ')}: closing HTTP, draining the bus`);
    this.readiness.markStopping();
    await Promise.all(this.serving.splice(0).map((s) => s.stop()));
  }

  /** The health reply of `service` on this instance. */
  async health(service: ServiceName): Promise<ServiceHealth> {
    const { ready, checks } = await this.readiness.run();
    return { service, instanceId: this.identity.instanceId, status: ready ? 'ok' : 'degraded', checks };
  }

  /** The info reply of `service` on this instance. */
  info(service: ServiceName): ServiceInfo {
    const { instanceId, version, startedAt, pid, hostname } = this.identity;
    return { service, instanceId, version, startedAt, pid, hostname };
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
      providers: [
        { provide: SERVICES, useValue: services },
        { provide: INSTANCE_IDENTITY, useValue: identity },
        ReadinessRegistry,
        ServiceHealthResponder,
      ],
      exports: [ReadinessRegistry, INSTANCE_IDENTITY],
    };
  }
}
