import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { StrataError, subjectMatches } from '@strata/contracts';
import { lastValueFrom } from 'rxjs';
import { type Bus, type ConsumedMessage, type Stoppable } from '../../bus';
import { BusContext } from './bus-context';
import { type EventRoute, type RequestRoute } from './bus-routes';

/** Opens the subjects of `manual` request routes while their owner holds what they serve. */
export interface BusRoutes {
  /**
   * Serves `subject` with the handler declared for the wildcard `pattern` until the returned
   * handle is stopped; before the transport listens, the subject is bound when it starts.
   */
  open(pattern: string, subject: string): Stoppable;
}

/** Errors a redelivery cannot fix: the event is terminated instead of retried. */
const POISON_CODES = new Set(['validation_failed', 'bad_request']);

interface ManualBinding {
  readonly pattern: string;
  readonly subject: string;
  bound: Stoppable | null;
  stopped: boolean;
}

/**
 * Serves the `@MessagePattern` and `@EventPattern` handlers of a Nest application over `Bus`:
 * request patterns as request/reply subscriptions in the route's queue group (chunked payloads,
 * the bus's error envelope), event patterns as durable JetStream consumers declared in the route.
 * Handlers run through Nest's pipes, guards, interceptors and exception filters, so the process's
 * `BusExceptionFilter` decides every error reply.
 */
export class BusTransport extends Server implements CustomTransportStrategy, BusRoutes {
  private bus: Bus | null;
  private readonly serving: Stoppable[] = [];
  private readonly manual = new Set<ManualBinding>();
  private listening = false;
  private closed = false;

  constructor(bus?: Bus) {
    super();
    this.bus = bus ?? null;
  }

  /** Gives the transport its connection when that is built by the application's own modules. */
  attach(bus: Bus): void {
    this.bus = bus;
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const bus = this.connection();
      for (const [pattern, handler] of this.messageHandlers) {
        if (handler.isEventHandler) this.serving.push(await this.bindEvent(bus, pattern, handler));
        else {
          const route = requestRouteOf(pattern, handler);
          if (!route.manual) this.serving.push(this.bindRequest(bus, pattern, route, handler));
        }
      }
      this.listening = true;
      for (const binding of this.manual) this.bindManual(binding);
      // Listening means served: a request sent once this resolves finds its handler.
      await bus.flush();
      callback();
    } catch (error) {
      await this.close();
      callback(error);
    }
  }

  open(pattern: string, subject: string): Stoppable {
    if (!subjectMatches(pattern, subject))
      throw new Error(`${subject} is not a subject of ${pattern}`);
    const binding: ManualBinding = { pattern, subject, bound: null, stopped: false };
    this.manual.add(binding);
    if (this.listening) this.bindManual(binding);
    return {
      stop: async () => {
        binding.stopped = true;
        this.manual.delete(binding);
        await binding.bound?.stop();
      },
    };
  }

  /** Stops every subscription and consumer, letting handlers in flight finish and reply. */
  async close(): Promise<void> {
    this.closed = true;
    this.listening = false;
    const manual = [...this.manual].map((b) => b.bound).filter((b): b is Stoppable => b !== null);
    this.manual.clear();
    await Promise.all([...this.serving.splice(0), ...manual].map((s) => s.stop()));
  }

  on(): never {
    throw new Error('BusTransport reports no events; watch the Bus itself');
  }

  unwrap<T>(): T {
    return this.connection() as T;
  }

  private connection(): Bus {
    if (this.closed) throw new Error('the bus transport is closed');
    if (!this.bus)
      throw new Error('the bus transport has no connection: attach one before listening');
    return this.bus;
  }

  private bindManual(binding: ManualBinding): void {
    if (binding.stopped || binding.bound) return;
    const handler = this.messageHandlers.get(binding.pattern);
    if (!handler || handler.isEventHandler)
      throw new Error(`no request handler is declared for ${binding.pattern}`);
    const route = requestRouteOf(binding.pattern, handler);
    if (!route.manual) throw new Error(`${binding.pattern} is not a manual route`);
    binding.bound = this.bindRequest(this.connection(), binding.subject, route, handler);
  }

  private bindRequest(
    bus: Bus,
    subject: string,
    route: RequestRoute,
    handler: MessageHandler,
  ): Stoppable {
    if (route.codec === 'binary') {
      return bus.serveBinary(subject, route.queueGroup, (bytes, meta) =>
        this.invoke(
          handler,
          bytes,
          new BusContext([meta.subject, meta.headers, meta.meta, undefined]),
        ),
      );
    }
    return bus.serve(
      subject,
      route.queueGroup,
      (payload, meta) =>
        this.invoke(
          handler,
          payload,
          new BusContext([meta.subject, meta.headers, undefined, undefined]),
        ),
      { inProcess: route.inProcess === true },
    );
  }

  private bindEvent(bus: Bus, pattern: string, handler: MessageHandler): Promise<Stoppable> {
    if (handler.next)
      throw new Error(
        `two @EventPattern handlers for ${pattern}: give each its own subject and durable consumer`,
      );
    const route = handler.extras as Partial<EventRoute> | undefined;
    if (!route?.consumer)
      throw new Error(
        `@EventPattern(${pattern}) declares no consumer: pass eventRoute({ consumer: ... })`,
      );
    const { consumer, consume, codec } = route as EventRoute;
    return bus.consume(
      { ...consumer, filterSubjects: [pattern] },
      (message) => this.deliver(handler, message, codec ?? 'json'),
      { ...consume, onGiveUp: (error) => this.logger.error(error.message) },
    );
  }

  private async deliver(
    handler: MessageHandler,
    message: ConsumedMessage,
    codec: 'json' | 'binary',
  ): Promise<void> {
    let payload: unknown = message.data;
    if (codec === 'json') {
      try {
        payload = message.json();
      } catch {
        message.term('not JSON');
        return;
      }
    }
    try {
      await this.invoke(
        handler,
        payload,
        new BusContext([message.subject, message.headers, undefined, message]),
      );
    } catch (error) {
      if (error instanceof StrataError && POISON_CODES.has(error.code)) {
        this.logger.warn(`terminated ${message.subject} #${message.seq}: ${error.message}`);
        message.term(error.code);
        return;
      }
      throw error;
    }
  }

  /** Runs the handler through Nest's pipeline and resolves to its last value; errors are the filter's. */
  private async invoke(
    handler: MessageHandler,
    payload: unknown,
    context: BusContext,
  ): Promise<unknown> {
    return lastValueFrom(this.transformToObservable(await handler(payload, context)), {
      defaultValue: undefined,
    });
  }
}

function requestRouteOf(pattern: string, handler: MessageHandler): RequestRoute {
  const route = handler.extras as Partial<RequestRoute> | undefined;
  if (route?.queueGroup === undefined) {
    throw new Error(
      `@MessagePattern(${pattern}) names no queue group: pass requestRoute({ queueGroup }) (null when every instance must answer)`,
    );
  }
  return route as RequestRoute;
}
