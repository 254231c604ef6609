import {
  Controller,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type Type,
} from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { jetstreamManager } from '@nats-io/jetstream';
import { StrataError } from '@strata/contracts';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { z } from 'zod';
import { type Stoppable } from '../../bus';
import { connectBus } from '../../connect';
import { NoRespondersError } from '../../errors';
import { type NatsBus } from '../../nats-bus';
import { firstValueFrom } from 'rxjs';
import { BusClientProxy } from './bus-client.proxy';
import { BusContext } from './bus-context';
import { BusMeta } from './bus-meta.decorator';
import { BUS_ROUTES, serveOnBus, type BusMicroservice } from './bus-microservice';
import { eventRoute, requestRoute } from './bus-routes';
import { type BusRoutes } from './bus-transport.strategy';
import { ValidatePayload } from './validate-payload.pipe';

jest.setTimeout(30_000);

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
const Greeting = z.object({ name: z.string().min(1) }).strict();

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('BusTransport against nats-server', () => {
  const buses: NatsBus[] = [];
  const served: BusMicroservice[] = [];
  let subject: string;

  async function connect(name: string): Promise<NatsBus> {
    const bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name,
      logger: quiet,
    });
    buses.push(bus);
    return bus;
  }

  async function serve(
    controllers: Type[],
    providers: Type[] = [],
  ): Promise<{ service: BusMicroservice; bus: NatsBus }> {
    const bus = await connect('transport-spec-server');
    const service = await serveOnBus(bus, { controllers, providers }, { logger: false });
    served.push(service);
    await bus.connection.flush();
    return { service, bus };
  }

  beforeEach(() => {
    subject = uniqueName('test.transport');
  });
  afterEach(async () => {
    await Promise.all(served.splice(0).map((s) => s.app.close()));
    await Promise.all(buses.splice(0).map((b) => b.drain()));
  });

  it('serves a request pattern in its queue group: each request reaches exactly one instance', async () => {
    const handledBy: string[] = [];
    const controller = (instance: string): Type => {
      @Controller()
      class GreetController {
        @MessagePattern(`${subject}.greet`, requestRoute({ queueGroup: 'greeters' }))
        greet(
          @Payload(new ValidatePayload(Greeting, 'greeting')) payload: z.infer<typeof Greeting>,
        ): string {
          handledBy.push(instance);
          return `hello ${payload.name} from ${instance}`;
        }
      }
      return GreetController;
    };
    await serve([controller('a')]);
    await serve([controller('b')]);
    const client = await connect('transport-spec-client');
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client.request<unknown, string>(`${subject}.greet`, { name: `n${i}` }),
      ),
    );
    expect(replies).toHaveLength(40);
    expect(replies.every((r, i) => r.startsWith(`hello n${i} from `))).toBe(true);
    expect(handledBy).toHaveLength(40);
  });

  it('lets every instance answer a pattern declared without a queue group', async () => {
    const controller = (instance: string): Type => {
      @Controller()
      class ProbeController {
        @MessagePattern(`${subject}.probe`, requestRoute({ queueGroup: null }))
        probe(): { instance: string } {
          return { instance };
        }
      }
      return ProbeController;
    };
    await serve([controller('a')]);
    await serve([controller('b')]);
    const client = await connect('transport-spec-client');
    const replies = await client.requestAll<object, { instance: string }>(
      `${subject}.probe`,
      {},
      { maxWaitMs: 500 },
    );
    expect(replies.map((r) => r.ok?.instance).sort()).toEqual(['a', 'b']);
  });

  it('answers invalid payloads, typed errors and crashes with the error envelope the caller rethrows', async () => {
    @Controller()
    class FailingController {
      @MessagePattern(`${subject}.greet`, requestRoute({ queueGroup: 'g' }))
      greet(
        @Payload(new ValidatePayload(Greeting, 'greeting')) payload: z.infer<typeof Greeting>,
      ): string {
        if (payload.name === 'quota')
          throw new StrataError('rate_limited', 'slow down', undefined, {
            reason: 'ingestion_rate',
            retryAfterSeconds: 3,
          });
        if (payload.name === 'bug')
          throw new TypeError('cannot read properties of undefined (secret detail)');
        return 'ok';
      }
    }
    await serve([FailingController]);
    const client = await connect('transport-spec-client');
    const invalid = await client
      .request(`${subject}.greet`, { name: '', extra: 1 })
      .catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(StrataError);
    expect(invalid).toMatchObject({
      code: 'validation_failed',
      fields: expect.arrayContaining([expect.objectContaining({ path: 'name' })]),
    });
    const limited = await client
      .request(`${subject}.greet`, { name: 'quota' })
      .catch((e: unknown) => e);
    expect(limited).toMatchObject({
      code: 'rate_limited',
      message: 'slow down',
      reason: 'ingestion_rate',
      retryAfterSeconds: 3,
    });
    const crashed = await client
      .request(`${subject}.greet`, { name: 'bug' })
      .catch((e: unknown) => e);
    expect(crashed).toMatchObject({ code: 'internal', message: 'internal error' });
    expect(String((crashed as Error).message)).not.toContain('secret');
  });

  it('carries payloads and replies above max_payload in chunks, JSON and binary', async () => {
    const Meta = z.object({ tenant: z.string() }).strict();
    @Controller()
    class SizeController {
      @MessagePattern(`${subject}.echo`, requestRoute({ queueGroup: 'g' }))
      echo(@Payload() payload: { text: string }): { text: string; length: number } {
        return { text: payload.text.toUpperCase(), length: payload.text.length };
      }

      @MessagePattern(`${subject}.bytes`, requestRoute({ queueGroup: 'g', codec: 'binary' }))
      bytes(
        @Payload() body: Uint8Array,
        @BusMeta(new ValidatePayload(Meta, 'metadata')) meta: z.infer<typeof Meta>,
      ): { tenant: string; bytes: number; sum: number } {
        let sum = 0;
        for (const b of body) sum = (sum + b) % 65_521;
        return { tenant: meta.tenant, bytes: body.length, sum };
      }
    }
    const { bus } = await serve([SizeController]);
    const client = await connect('transport-spec-client');
    const text = 'x'.repeat(bus.maxPayload * 2 + 17);
    const reply = await client.request<object, { text: string; length: number }>(
      `${subject}.echo`,
      { text },
    );
    expect(reply.length).toBe(text.length);
    expect(reply.text).toBe(text.toUpperCase());
    const body = new Uint8Array(bus.maxPayload * 3 + 5).map((_, i) => i % 251);
    let sum = 0;
    for (const b of body) sum = (sum + b) % 65_521;
    await expect(
      client.requestBinary(`${subject}.bytes`, body, { meta: { tenant: 't1' } }),
    ).resolves.toEqual({ tenant: 't1', bytes: body.length, sum });
    await expect(
      client.requestBinary(`${subject}.bytes`, body, { meta: { tenant: 1 } }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
  });

  it('serves a manual route only while its owner keeps it open, on the concrete subject', async () => {
    @Injectable()
    class ShardOwner implements OnApplicationBootstrap {
      opened: Stoppable | null = null;
      constructor(@Inject(BUS_ROUTES) private readonly routes: BusRoutes) {}
      onApplicationBootstrap(): void {
        // Opened before the transport listens: bound once it does.
        this.opened = this.routes.open(`${subject}.shard.*`, `${subject}.shard.3`);
      }
    }
    @Controller()
    class ShardController {
      @MessagePattern(`${subject}.shard.*`, requestRoute({ queueGroup: 'g', manual: true }))
      answer(@Ctx() ctx: BusContext): string {
        return ctx.subject;
      }
    }
    const { service } = await serve([ShardController], [ShardOwner]);
    const client = await connect('transport-spec-client');
    await expect(client.request(`${subject}.shard.3`, {})).resolves.toBe(`${subject}.shard.3`);
    await expect(
      client.request(`${subject}.shard.4`, {}, { timeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(NoRespondersError);
    const later = service.transport.open(`${subject}.shard.*`, `${subject}.shard.4`);
    await service.transport.unwrap<NatsBus>().connection.flush();
    await expect(client.request(`${subject}.shard.4`, {})).resolves.toBe(`${subject}.shard.4`);
    await service.app.get(ShardOwner).opened?.stop();
    await later.stop();
    await service.transport.unwrap<NatsBus>().connection.flush();
    await expect(
      client.request(`${subject}.shard.3`, {}, { timeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(NoRespondersError);
    expect(() => service.transport.open(`${subject}.shard.*`, `${subject}.other.1`)).toThrow(
      /not a subject of/,
    );
  });

  it('binds event patterns to durable consumers: ack on success, bounded redelivery on failure, term on invalid input', async () => {
    const stream = uniqueName('TRANSPORT');
    const setup = await connect('transport-spec-setup');
    await setup.ensureStream({ name: stream, subjects: [`${subject}.events.>`] });
    const seen: Array<{ id: string; delivery: number }> = [];
    const Event = z.object({ id: z.string(), fail: z.boolean().optional() }).strict();
    @Controller()
    class EventsController {
      @EventPattern(
        `${subject}.events.*`,
        eventRoute({
          consumer: { stream, durableName: 'spec-events', maxDeliver: 3, ackWaitMs: 2_000 },
          consume: { retryDelayMs: () => 50 },
        }),
      )
      async onEvent(
        @Payload(new ValidatePayload(Event, 'event')) event: z.infer<typeof Event>,
        @Ctx() ctx: BusContext,
      ): Promise<void> {
        seen.push({ id: event.id, delivery: ctx.message?.deliveryCount ?? 0 });
        if (event.fail) throw new Error('downstream unavailable');
      }
    }
    await serve([EventsController]);
    await setup.publish(`${subject}.events.a`, { id: 'good' });
    await setup.publish(`${subject}.events.a`, { id: 'flaky', fail: true });
    await setup.publish(`${subject}.events.b`, { id: 'bad', unknown: 1 });
    await setup.publish(`${subject}.events.b`, { id: 'after' });
    await until(
      () => seen.filter((s) => s.id === 'flaky').length === 3 && seen.some((s) => s.id === 'after'),
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.filter((s) => s.id === 'good')).toEqual([{ id: 'good', delivery: 1 }]);
    expect(seen.filter((s) => s.id === 'flaky').map((s) => s.delivery)).toEqual([1, 2, 3]);
    // Invalid input never reaches the handler and is not redelivered.
    expect(seen.some((s) => s.id === 'bad')).toBe(false);
    const info = await (
      await jetstreamManager(setup.connection)
    ).consumers.info(stream, 'spec-events');
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_pending).toBe(0);
  });

  it('lets requests in flight finish and reply when the service closes, then stops answering', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started = false;
    @Controller()
    class SlowController {
      @MessagePattern(`${subject}.slow`, requestRoute({ queueGroup: 'g' }))
      async slow(): Promise<string> {
        started = true;
        await gate;
        return 'finished';
      }
    }
    const { service } = await serve([SlowController]);
    const client = await connect('transport-spec-client');
    const pending = client.request<object, string>(`${subject}.slow`, {}, { timeoutMs: 10_000 });
    await until(() => started);
    const closing = service.app.close();
    setTimeout(release, 200);
    await expect(pending).resolves.toBe('finished');
    await closing;
    served.splice(served.indexOf(service), 1);
    await expect(
      client.request(`${subject}.slow`, {}, { timeoutMs: 1_000 }),
    ).rejects.toBeInstanceOf(NoRespondersError);
  });

  it("lets callers use Nest's ClientProxy: send reaches a @MessagePattern, emit an @EventPattern, errors arrive typed", async () => {
    const stream = uniqueName('PROXY');
    const setup = await connect('transport-spec-setup');
    await setup.ensureStream({ name: stream, subjects: [`${subject}.emitted.>`] });
    const emitted: string[] = [];
    @Controller()
    class ProxiedController {
      @MessagePattern(`${subject}.double`, requestRoute({ queueGroup: 'g' }))
      double(
        @Payload(new ValidatePayload(z.object({ n: z.number() }).strict(), 'number'))
        p: {
          n: number;
        },
      ): number {
        return p.n * 2;
      }

      @EventPattern(
        `${subject}.emitted.*`,
        eventRoute({ consumer: { stream, durableName: 'proxied' } }),
      )
      onEmitted(@Payload() p: { id: string }): void {
        emitted.push(p.id);
      }
    }
    await serve([ProxiedController]);
    const proxy = new BusClientProxy(await connect('transport-spec-client'));
    await expect(firstValueFrom(proxy.send(`${subject}.double`, { n: 21 }))).resolves.toBe(42);
    await expect(firstValueFrom(proxy.send(`${subject}.double`, { n: 'x' }))).rejects.toMatchObject(
      { code: 'validation_failed' },
    );
    await expect(
      firstValueFrom(proxy.emit(`${subject}.emitted.a`, { id: 'e1' })),
    ).resolves.toMatchObject({ stream, duplicate: false });
    await until(() => emitted.includes('e1'));
  });

  it('refuses to serve a request pattern that names no queue group', async () => {
    @Controller()
    class CarelessController {
      @MessagePattern(`${subject}.careless`)
      careless(): string {
        return 'twice';
      }
    }
    const bus = await connect('transport-spec-server');
    await expect(
      serveOnBus(bus, { controllers: [CarelessController] }, { logger: false }),
    ).rejects.toThrow(/names no queue group/);
  });
});
