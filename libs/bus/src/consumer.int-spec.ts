import { jetstreamManager } from '@nats-io/jetstream';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { type ConsumedMessage } from './bus';
import { connectBus } from './connect';
import { type DeliveryExhaustedError } from './errors';
import { type NatsBus } from './nats-bus';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('consume', () => {
  let bus: NatsBus;
  let stream: string;
  let subject: string;

  beforeEach(async () => {
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'consume-spec',
      logger: quiet,
    });
    stream = uniqueName('C');
    subject = uniqueName('test.c');
    await bus.ensureStream({ name: stream, subjects: [`${subject}.>`] });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('delivers published messages to a durable consumer, which resumes after the last ack', async () => {
    for (let i = 1; i <= 3; i++) await bus.publish(`${subject}.x`, { i });
    const seen: number[] = [];
    const first = await bus.consume({ stream, durableName: 'd1' }, async (m) => {
      seen.push(m.json<{ i: number }>().i);
      m.ack();
    });
    await until(() => seen.length === 3);
    await first.stop();
    await bus.publish(`${subject}.x`, { i: 4 });
    const second = await bus.consume({ stream, durableName: 'd1' }, async (m) => {
      seen.push(m.json<{ i: number }>().i);
    });
    await until(() => seen.length === 4);
    await second.stop();
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('redelivers a nak after its delay, and never redelivers a term', async () => {
    await bus.publish(`${subject}.x`, { kind: 'retry' });
    await bus.publish(`${subject}.x`, { kind: 'poison' });
    const deliveries: Array<{ kind: string; n: number }> = [];
    // A short ack wait: a term the server ignored would come back within the test.
    const stop = await bus.consume({ stream, durableName: 'd2', ackWaitMs: 300 }, async (m) => {
      const { kind } = m.json<{ kind: string }>();
      deliveries.push({ kind, n: m.deliveryCount });
      if (kind === 'poison') m.term('bad');
      else if (m.deliveryCount < 2) m.nak(100);
      else m.ack();
    });
    await until(() => deliveries.some((d) => d.kind === 'retry' && d.n === 2));
    await new Promise((r) => setTimeout(r, 800));
    await stop.stop();
    expect(deliveries.filter((d) => d.kind === 'poison')).toEqual([{ kind: 'poison', n: 1 }]);
    expect(deliveries.filter((d) => d.kind === 'retry')).toEqual([
      { kind: 'retry', n: 1 },
      { kind: 'retry', n: 2 },
    ]);
  });

  it('gives a failing message up after maxDeliver deliveries and reports it', async () => {
    await bus.publish(`${subject}.x`, { fail: true });
    await bus.publish(`${subject}.x`, { fail: false });
    const given: Array<{ error: DeliveryExhaustedError; message: ConsumedMessage }> = [];
    const attempts: number[] = [];
    const ok: number[] = [];
    const stop = await bus.consume(
      { stream, durableName: 'd3', maxDeliver: 3 },
      async (m) => {
        if (m.json<{ fail: boolean }>().fail) {
          attempts.push(m.deliveryCount);
          throw new Error('cannot handle');
        }
        ok.push(m.seq);
      },
      { retryDelayMs: () => 50, onGiveUp: (error, message) => given.push({ error, message }) },
    );
    await until(() => given.length === 1 && ok.length === 1);
    await new Promise((r) => setTimeout(r, 300));
    await stop.stop();
    expect(attempts).toEqual([1, 2, 3]);
    expect(given[0].error.code).toBe('internal');
    expect(given[0].error.deliveries).toBe(3);
    expect((given[0].error.cause as Error).message).toBe('cannot handle');
    expect(given[0].message.seq).toBe(1);
  });

  it('processes in stream order, one at a time, redeliveries included, when ordered', async () => {
    for (let i = 1; i <= 10; i++) await bus.publish(`${subject}.x`, { i });
    const order: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const stop = await bus.consume(
      { stream, durableName: 'd4' },
      async (m) => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        const { i } = m.json<{ i: number }>();
        order.push(i);
        if (i === 4 && m.deliveryCount === 1) throw new Error('transient');
      },
      { ordered: true, retryDelayMs: () => 50 },
    );
    await until(() => order.length === 11);
    await stop.stop();
    expect(order).toEqual([1, 2, 3, 4, 4, 5, 6, 7, 8, 9, 10]);
    expect(maxRunning).toBe(1);
  });

  it('runs handlers concurrently when not ordered', async () => {
    for (let i = 1; i <= 8; i++) await bus.publish(`${subject}.x`, { i });
    let running = 0;
    let maxRunning = 0;
    let done = 0;
    const stop = await bus.consume(
      { stream, durableName: 'd5' },
      async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 50));
        running--;
        done++;
      },
      { concurrency: 4 },
    );
    await until(() => done === 8);
    await stop.stop();
    expect(maxRunning).toBeGreaterThan(1);
    expect(maxRunning).toBeLessThanOrEqual(4);
  });

  it('honours filter subjects and a start sequence', async () => {
    await bus.publish(`${subject}.a`, { n: 1 });
    await bus.publish(`${subject}.b`, { n: 2 });
    await bus.publish(`${subject}.a`, { n: 3 });
    await bus.publish(`${subject}.a`, { n: 4 });
    const seen: number[] = [];
    const stop = await bus.consume(
      {
        stream,
        durableName: 'd6',
        filterSubjects: [`${subject}.a`],
        deliverPolicy: { startSeq: 3 },
      },
      async (m) => {
        seen.push(m.json<{ n: number }>().n);
      },
    );
    await until(() => seen.length === 2);
    await stop.stop();
    expect(seen).toEqual([3, 4]);
  });

  it('keeps a message whose handler outlasts the ack wait, instead of redelivering it mid-work', async () => {
    await bus.publish(`${subject}.x`, { slow: true });
    const deliveries: number[] = [];
    let done = false;
    const stop = await bus.consume({ stream, durableName: 'd8', ackWaitMs: 1_000 }, async (m) => {
      deliveries.push(m.deliveryCount);
      await new Promise((r) => setTimeout(r, 2_500));
      done = true;
    });
    await until(() => done);
    await new Promise((r) => setTimeout(r, 600));
    await stop.stop();
    expect(deliveries).toEqual([1]);
  });

  it('terminates and reports a message with a malformed chunk header, and goes on', async () => {
    await bus.publish(`${subject}.x`, { bad: true }, { headers: { 'Strata-Chunk': 'nonsense' } });
    await bus.publish(`${subject}.x`, { bad: false });
    const given: number[] = [];
    const seen: boolean[] = [];
    const stop = await bus.consume(
      { stream, durableName: 'd9' },
      async (m) => {
        seen.push(m.json<{ bad: boolean }>().bad);
      },
      { ordered: true, onGiveUp: (error) => given.push(error.seq) },
    );
    await until(() => seen.length === 1 && given.length === 1, 4_000);
    await stop.stop();
    expect(seen).toEqual([false]);
    expect(given).toEqual([1]);
  });

  it('reports each delivery outcome to the observer', async () => {
    const events: string[] = [];
    const observed = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'consume-observer',
      logger: quiet,
      observer: { consumed: (s, c, outcome) => events.push(`${s === stream}:${c}:${outcome}`) },
    });
    await bus.publish(`${subject}.x`, { n: 1 });
    await bus.publish(`${subject}.x`, { n: 2 });
    const stop = await observed.consume(
      { stream, durableName: 'obs', maxDeliver: 2 },
      async (m) => {
        if (m.json<{ n: number }>().n === 2) throw new Error('no');
      },
      { ordered: true, retryDelayMs: () => 20, onGiveUp: () => undefined },
    );
    await until(() => events.length === 3);
    await stop.stop();
    await observed.drain();
    expect(events).toEqual(['true:obs:ack', 'true:obs:retry', 'true:obs:given_up']);
  });

  it('leaves what a consumer stopped under a backlog had received to the next one of the durable, which gets it at once, not after the ack wait', async () => {
    // Far beyond the wait below: a message left pending on the server would only come back then.
    const ackWaitMs = 600_000;
    let publishing = true;
    let published = 0;
    const load = (async () => {
      while (publishing) {
        await bus.publish(`${subject}.x`, { i: ++published });
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const handled = new Set<number>();
    // Slower than the load: pulled messages queue behind busy handlers, and arrive after a stop.
    const handle = async (m: ConsumedMessage) => {
      await new Promise((r) => setTimeout(r, 5));
      handled.add(m.json<{ i: number }>().i);
    };
    // As logflow's reloads do: the durable is stopped mid-stream and taken again, alternately
    // one message at a time (where one message left pending holds back everything) and several.
    // Between two consumers a backlog builds up, so each stop comes while the server is sending.
    const rounds = 30;
    for (let round = 0; round < rounds; round++) {
      const consumer = await bus.consume(
        { stream, durableName: 'restarted', ackWaitMs },
        handle,
        round % 2 === 0 ? { ordered: true } : { concurrency: 4 },
      );
      await new Promise((r) => setTimeout(r, 30 + (round % 7) * 10));
      await consumer.stop();
      await new Promise((r) => setTimeout(r, 100));
    }
    publishing = false;
    await load;
    const last = await bus.consume({ stream, durableName: 'restarted', ackWaitMs }, handle, {
      ordered: true,
    });
    await until(() => handled.size === published, 20_000).catch(() => undefined);
    await last.stop();
    const missing = Array.from({ length: published }, (_, i) => i + 1).filter(
      (i) => !handled.has(i),
    );
    expect({ published, missing }).toEqual({ published, missing: [] });
  }, 120_000);

  it('stop() waits for the handler already running', async () => {
    await bus.publish(`${subject}.x`, { slow: true });
    let started = false;
    let finished = false;
    const stop = await bus.consume({ stream, durableName: 'd7' }, async () => {
      started = true;
      await new Promise((r) => setTimeout(r, 300));
      finished = true;
    });
    await until(() => started);
    await stop.stop();
    expect(finished).toBe(true);
  });

  it('pulls only `prefetch` messages ahead of busy handlers', async () => {
    for (let i = 1; i <= 20; i++) await bus.publish(`${subject}.x`, { i });
    let release: () => void = () => undefined;
    const held = new Promise<void>((r) => (release = r));
    let started = 0;
    const consumer = await bus.consume(
      { stream, durableName: 'prefetch' },
      async () => {
        started++;
        await held;
      },
      { concurrency: 1, prefetch: 2 },
    );
    let delivered: number;
    try {
      await until(() => started === 1);
      // Time for the server to send whatever was asked for.
      await new Promise((r) => setTimeout(r, 300));
      const jsm = await jetstreamManager(bus.connection);
      delivered = (await jsm.consumers.info(stream, 'prefetch')).num_ack_pending;
    } finally {
      release();
    }
    // One in the handler and at most two pulled behind it (without `prefetch`: eight).
    expect(delivered).toBeLessThanOrEqual(3);
    await until(() => started === 20);
    await consumer.stop();
  });

  it('with explicit acks, a later message settled first leaves an earlier one still running unsettled: it comes back when that fails', async () => {
    await bus.publish(`${subject}.x`, { i: 1 });
    await bus.publish(`${subject}.x`, { i: 2 });
    const done: string[] = [];
    let failFirst: ((error: Error) => void) | undefined;
    const consumer = await bus.consume(
      { stream, durableName: 'explicit', ackWaitMs: 30_000 },
      async (m) => {
        const { i } = m.json<{ i: number }>();
        // The first delivery of the first message is held, then fails (for redelivery).
        if (i === 1 && m.deliveryCount === 1)
          await new Promise<void>((_, reject) => (failFirst = reject));
        done.push(`${i}#${m.deliveryCount}`);
      },
      { concurrency: 4, retryDelayMs: () => 0 },
    );
    await until(() => failFirst !== undefined && done.includes('2#1'));
    await bus.connection.flush();
    // The server has the second ack; the first message, still running, stays outstanding.
    expect(await bus.consumerAckFloor(stream, 'explicit')).toBe(0);
    expect(await bus.consumerBacklog(stream, 'explicit')).toBe(1);
    failFirst?.(new Error('archive down'));
    await until(() => done.includes('1#2'));
    await consumer.stop();
    expect(done).toEqual(['2#1', '1#2']);
    expect(await bus.consumerAckFloor(stream, 'explicit')).toBe(2);
  });

  it('with cumulative acks sends one ack per turn of the loop, which settles every earlier message', async () => {
    const n = 300;
    await Promise.all(Array.from({ length: n }, (_, i) => bus.publish(`${subject}.x`, { i })));
    // The acks the server receives: JetStream's ack subjects, seen from a plain subscription.
    let acks = 0;
    const spy = bus.connection.subscribe(`$JS.ACK.${stream}.>`, { callback: () => void acks++ });
    await bus.connection.flush();
    const seen: number[] = [];
    const spec = { stream, durableName: 'cumulative', ackPolicy: 'cumulative' as const };
    const first = await bus.consume(
      spec,
      async (m) => {
        seen.push(m.json<{ i: number }>().i);
        m.ack();
      },
      { concurrency: 64 },
    );
    await until(() => seen.length === n);
    await first.stop();
    await bus.connection.flush();
    expect(await bus.consumerAckFloor(stream, 'cumulative')).toBe(n);
    expect(acks).toBeGreaterThan(0);
    expect(acks).toBeLessThan(n / 2);
    spy.unsubscribe();
    // Nothing comes back: the last ack settled all of them.
    await bus.publish(`${subject}.x`, { i: n });
    const again: number[] = [];
    const second = await bus.consume(spec, async (m) => {
      again.push(m.json<{ i: number }>().i);
    });
    await until(() => again.length > 0);
    await new Promise((r) => setTimeout(r, 300));
    await second.stop();
    expect(again).toEqual([n]);
  });
});
