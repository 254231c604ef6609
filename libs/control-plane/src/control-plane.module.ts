import {
  Injectable,
  Module,
  Optional,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { BUS } from '@strata/bus';
import { ReadinessRegistry } from '@strata/service-kit';
import { ControlPlaneRuntime } from './control-plane.runtime';
import { ControlPlaneController } from './control-plane.controller';
import { ControlPlaneService } from './control-plane.service';
import {
  CONTROL_PLANE_OPTIONS,
  type ControlPlaneBus,
  type ControlPlaneModuleOptions,
} from './control-plane.tokens';

const BUS_OF_MODULE = Symbol('CONTROL_PLANE_BUS_OF_MODULE');
const OUTBOX_BACKLOG_LIMIT = 10_000;

/** Registers the control plane's readiness checks and stops its runtime after the bus stops serving. */
@Injectable()
export class ControlPlaneLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    private readonly runtime: ControlPlaneRuntime,
    @Optional() private readonly readiness?: ReadinessRegistry,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness?.register('control-plane-postgres', async () => {
      await this.runtime.cp.dataSource.query('SELECT 1');
      return { ok: true };
    });
    // A growing outbox means NATS has not taken events for a while: still serving, but worth seeing.
    this.readiness?.register('control-plane-outbox', async () => {
      const pending = await this.runtime.relay.pending();
      return { ok: pending < OUTBOX_BACKLOG_LIMIT, detail: `${pending} events waiting for NATS` };
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}

/** The control plane as a NestJS module: event store, projections, outbox relay and its bus controller. */
@Module({})
export class ControlPlaneModule {
  /** Configures the module; the Bus comes from `BusModule` (token `BUS`) unless `options.busToken` names another. */
  static forRoot(options: ControlPlaneModuleOptions): DynamicModule {
    return {
      module: ControlPlaneModule,
      controllers: [ControlPlaneController],
      providers: [
        { provide: CONTROL_PLANE_OPTIONS, useValue: options },
        { provide: BUS_OF_MODULE, useExisting: options.busToken ?? BUS },
        {
          provide: ControlPlaneRuntime,
          inject: [CONTROL_PLANE_OPTIONS, BUS_OF_MODULE],
          useFactory: (opts: ControlPlaneModuleOptions, bus: ControlPlaneBus) =>
            ControlPlaneRuntime.start(opts, bus),
        },
        {
          provide: ControlPlaneService,
          inject: [ControlPlaneRuntime],
          useFactory: (runtime: ControlPlaneRuntime) => runtime.service,
        },
        ControlPlaneLifecycle,
      ],
      exports: [ControlPlaneService, ControlPlaneRuntime],
    };
  }
}
