import {
  Global,
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type FactoryProvider,
  type InjectionToken,
  type OnApplicationShutdown,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { connectBus, type BusOptions } from '../connect';
import { type NatsBus } from '../nats-bus';

/** Injection token of the process's `Bus`. */
export const BUS = Symbol.for('@strata/bus');
/** Injection token of the same connection seen as a `KvProvider`. */
export const KV = Symbol.for('@strata/bus:kv');
const NATS_BUS = Symbol.for('@strata/bus:nats');

/** Injects the process's `Bus`. */
export const InjectBus = (): ParameterDecorator => Inject(BUS);

/** Options of `BusModule.forRootAsync`, for connection settings that come from validated config. */
export interface BusModuleAsyncOptions {
  useFactory: (...args: never[]) => BusOptions | Promise<BusOptions>;
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
}

/** Drains the connection once the application's modules have stopped their own work. */
@Injectable()
class BusLifecycle implements OnApplicationShutdown {
  constructor(@Inject(NATS_BUS) private readonly bus: NatsBus) {}

  async onApplicationShutdown(): Promise<void> {
    await this.bus.drain();
  }
}

function providers(connection: FactoryProvider<Promise<NatsBus>>) {
  return [
    connection,
    { provide: BUS, useExisting: NATS_BUS },
    { provide: KV, useExisting: NATS_BUS },
    BusLifecycle,
  ];
}

/** Provides one NATS connection per process as `BUS` (and `KV`), drained on application shutdown. */
@Global()
@Module({})
export class BusModule {
  /** Connects with fixed options. */
  static forRoot(options: BusOptions): DynamicModule {
    return {
      module: BusModule,
      providers: providers({ provide: NATS_BUS, useFactory: () => connectBus(options) }),
      exports: [BUS, KV],
    };
  }

  /** Connects with options computed from other providers (typically the platform config). */
  static forRootAsync(options: BusModuleAsyncOptions): DynamicModule {
    return {
      module: BusModule,
      providers: providers({
        provide: NATS_BUS,
        useFactory: async (...args: unknown[]) =>
          connectBus(await options.useFactory(...(args as never[]))),
        inject: options.inject ?? [],
      }),
      exports: [BUS, KV],
    };
  }
}
