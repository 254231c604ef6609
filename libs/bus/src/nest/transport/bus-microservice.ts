import {
  type DynamicModule,
  Global,
  type INestMicroservice,
  type LoggerService,
  type LogLevel,
  Module,
  type ModuleMetadata,
} from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { type Bus } from '../../bus';
import { BusExceptionFilter } from './bus-exception.filter';
import { BusTransport } from './bus-transport.strategy';

/** Injection token of the running transport seen as `BusRoutes`, for handlers opened by their owner. */
export const BUS_ROUTES = Symbol.for('@strata/bus:routes');

/** What every bus microservice needs: the error filter of its handlers and `BUS_ROUTES` for all its modules. */
@Global()
@Module({})
export class BusTransportModule {
  /** The module for the application served by `transport`. */
  static forTransport(transport: BusTransport): DynamicModule {
    return {
      module: BusTransportModule,
      providers: [
        { provide: APP_FILTER, useClass: BusExceptionFilter },
        { provide: BUS_ROUTES, useValue: transport },
      ],
      exports: [BUS_ROUTES],
    };
  }
}

/** A Nest microservice served over the bus, and its transport. */
export interface BusMicroservice {
  readonly app: INestMicroservice;
  readonly transport: BusTransport;
}

/**
 * Creates the root module `root(transport)` as a Nest microservice on `BusTransport`; `app.listen()`
 * then runs the bootstrap hooks and binds the handlers. `bus` is the connection to serve on, or
 * finds it among the application's providers when one of its modules builds it.
 *
 * `app.init()` must not be called first: on a microservice it runs the bootstrap hooks, and
 * `listen()` runs them again.
 */
export async function createBusMicroservice(
  root: (transport: BusTransport) => DynamicModule,
  bus: Bus | ((app: INestMicroservice) => Bus),
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<BusMicroservice> {
  const transport = new BusTransport();
  const app = await NestFactory.createMicroservice(root(transport), {
    strategy: transport,
    abortOnError: false,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  });
  transport.attach(typeof bus === 'function' ? bus(app) : bus);
  return { app, transport };
}

@Module({})
class BusServedModule {}

/**
 * Serves `metadata`'s controllers on an existing connection and starts listening: for tools and
 * specs that run a few handlers without a whole Strata process.
 */
export async function serveOnBus(
  bus: Bus,
  metadata: ModuleMetadata,
  options: { logger?: LoggerService | LogLevel[] | false } = {},
): Promise<BusMicroservice> {
  const served = await createBusMicroservice(
    (transport) => ({
      module: BusServedModule,
      ...metadata,
      imports: [...(metadata.imports ?? []), BusTransportModule.forTransport(transport)],
    }),
    bus,
    options,
  );
  await served.app.listen().catch(async (error: unknown) => {
    await served.app.close();
    throw error;
  });
  return served;
}
