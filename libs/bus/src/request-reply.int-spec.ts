import { StrataError } from '@strata/contracts';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { connectBus } from './connect';
import { NoRespondersError, RequestTimeoutError } from './errors';
import { type NatsBus } from './nats-bus';
import { type BusLogger } from './logger';

function quietLogger(): BusLogger & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    debug: () => undefined,
    info: () => undefined,
    warn: () => undefined,
    error: (m) => errors.push(m),
  };
}

describe('request/reply', () => {
  let bus: NatsBus;
  let log: ReturnType<typeof quietLogger>;

  beforeEach(async () => {
    log = quietLogger();
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'rr-spec',
      logger: log,
    });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('answers JSON requests and passes headers to the handler', async () => {
    const subject = uniqueName('test.echo');
    bus.serve<{ n: number }, { doubled: number; tenant?: string }>(
      subject,
      'echo',
      async (req, meta) => ({
        doubled: req.n * 2,
        tenant: meta.headers['X-Tenant'],
      }),
    );
    await expect(
      bus.request(subject, { n: 21 }, { headers: { 'X-Tenant': 'acme' } }),
    ).resolves.toEqual({ doubled: 42, tenant: 'acme' });
  });

  it('maps a thrown StrataError to an error reply with its code and fields', async () => {
    const subject = uniqueName('test.fail');
    bus.serve(subject, null, async () => {
      throw new StrataError('not_found', 'no such tenant', [
        { path: 'tenant', message: 'unknown' },
      ]);
    });
    const error = await bus.request(subject, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect((error as StrataError).toBody()).toEqual({
      code: 'not_found',
      message: 'no such tenant',
      fields: [{ path: 'tenant', message: 'unknown' }],
    });
  });

  it('answers any other throw with `internal`, logging the message without leaking it', async () => {
    const subject = uniqueName('test.boom');
    bus.serve(subject, null, async () => {
      throw new Error('password=hunter2 in a stack');
    });
    const error = (await bus.request(subject, {}).catch((e: unknown) => e)) as StrataError;
    expect(error.code).toBe('internal');
    expect(error.message).not.toContain('hunter2');
    expect(log.errors.join('\n')).toContain('hunter2');
  });

  it('answers a body that is not JSON with `bad_request` without calling the handler', async () => {
    const subject = uniqueName('test.raw');
    let called = false;
    bus.serve(subject, null, async () => {
      called = true;
    });
    const reply = await bus.connection.request(subject, new TextEncoder().encode('{not json'));
    expect(reply.json()).toEqual({
      error: { code: 'bad_request', message: 'request is not valid JSON' },
    });
    expect(called).toBe(false);
  });

  it('fails with `unavailable` when nobody serves the subject', async () => {
    const error = await bus.request(uniqueName('test.nobody'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NoRespondersError);
    expect((error as StrataError).code).toBe('unavailable');
  });

  it('fails with `timeout` when the handler is too slow', async () => {
    const subject = uniqueName('test.slow');
    bus.serve(
      subject,
      null,
      () => new Promise((resolve) => setTimeout(() => resolve('late'), 500)),
    );
    const error = await bus.request(subject, {}, { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as StrataError).code).toBe('timeout');
  });

  it('spreads requests over the members of a queue group, each request handled once', async () => {
    const subject = uniqueName('test.spread');
    const other = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'rr-spec-2',
      logger: quietLogger(),
    });
    const counts = { a: 0, b: 0 };
    bus.serve(subject, 'workers', async () => ++counts.a);
    other.serve(subject, 'workers', async () => ++counts.b);
    await other.connection.flush();
    await bus.connection.flush();
    await Promise.all(Array.from({ length: 200 }, () => bus.request(subject, {})));
    await other.drain();
    expect(counts.a + counts.b).toBe(200);
    expect(counts.a).toBeGreaterThan(20);
    expect(counts.b).toBeGreaterThan(20);
  });

  it('lets every instance answer when no queue group is given', async () => {
    const subject = uniqueName('test.all');
    const other = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'rr-spec-3',
      logger: quietLogger(),
    });
    let seen = 0;
    bus.serve(subject, null, async () => ++seen);
    other.serve(subject, null, async () => ++seen);
    await other.connection.flush();
    await bus.request(subject, {});
    await new Promise((r) => setTimeout(r, 100));
    await other.drain();
    expect(seen).toBe(2);
  });

  it('collects the replies of every instance with requestAll, and none when nobody serves', async () => {
    const subject = uniqueName('test.gather');
    const other = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'rr-spec-4',
      logger: quietLogger(),
    });
    bus.serve(subject, null, async () => 'a');
    other.serve(subject, null, async () => {
      throw new StrataError('unavailable', 'warming up');
    });
    await other.connection.flush();
    const replies = await bus.requestAll<object, string>(subject, {}, { maxWaitMs: 300 });
    expect(replies).toHaveLength(2);
    expect(replies).toEqual(
      expect.arrayContaining([
        { ok: 'a' },
        { error: { code: 'unavailable', message: 'warming up' } },
      ]),
    );
    await expect(bus.requestAll(uniqueName('test.none'), {}, { maxWaitMs: 100 })).resolves.toEqual(
      [],
    );
    await other.drain();
  });

  it('stopping a served subject makes later requests `unavailable`', async () => {
    const subject = uniqueName('test.stop');
    const served = bus.serve(subject, null, async () => 'ok');
    await expect(bus.request(subject, {})).resolves.toBe('ok');
    await served.stop();
    await expect(bus.request(subject, {})).rejects.toBeInstanceOf(NoRespondersError);
  });

  it('answers binary requests of a subject this process serves in-process, with the same metadata, headers and errors', async () => {
    const subject = uniqueName('test.local');
    const other = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'rr-spec-local',
      logger: quietLogger(),
    });
    const onTheWire: string[] = [];
    const monitor = other.connection.subscribe(subject, {
      callback: (_e, m) => {
        onTheWire.push(m.headers?.get('Strata-Meta') ?? '');
      },
    });
    await other.connection.flush();
    const seen: unknown[] = [];
    const served = bus.serveBinary<{ caller: string; fail?: boolean }, number>(
      subject,
      'local',
      async (payload, meta) => {
        seen.push({ caller: meta.meta.caller, headers: meta.headers });
        if (meta.meta.fail)
          throw new StrataError('rate_limited', 'slow down', undefined, { retryAfterSeconds: 3 });
        meta.meta.caller = 'changed by the handler';
        return payload.length;
      },
    );
    await bus.connection.flush();
    const meta = { caller: 'same process' };
    await expect(
      bus.requestBinary(subject, new Uint8Array(4), { meta, headers: { 'X-Request-Id': 'r1' } }),
    ).resolves.toBe(4);
    expect(meta.caller).toBe('same process');
    await expect(
      other.requestBinary(subject, new Uint8Array(5), { meta: { caller: 'other process' } }),
    ).resolves.toBe(5);
    const error = await bus
      .requestBinary(subject, new Uint8Array(1), { meta: { caller: 'x', fail: true } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'rate_limited',
      message: 'slow down',
      retryAfterSeconds: 3,
    });
    await other.connection.flush();
    // Only the other process' request crossed nats-server.
    expect(onTheWire).toEqual([encodeURIComponent(JSON.stringify({ caller: 'other process' }))]);
    expect(seen).toEqual([
      { caller: 'same process', headers: { 'X-Request-Id': 'r1' } },
      { caller: 'other process', headers: {} },
      { caller: 'x', headers: {} },
    ]);
    // Until nats-server has seen the monitor go, it counts as a responder and the request below
    // would wait for its timeout instead of failing fast with no responders.
    monitor.unsubscribe();
    await other.connection.flush();
    await served.stop();
    await expect(
      bus.requestBinary(subject, new Uint8Array(1), { meta: { caller: 'x' } }),
    ).rejects.toBeInstanceOf(NoRespondersError);
    await other.drain();
  });

  it('answers JSON requests of an inProcess subject in-process with its reply object, a copy of the request and the same errors', async () => {
    const subject = uniqueName('test.local-json');
    const other = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'rr-spec-local-json',
      logger: quietLogger(),
    });
    let crossed = 0;
    const monitor = other.connection.subscribe(subject, {
      callback: () => {
        crossed++;
      },
    });
    await other.connection.flush();
    const reply = { samples: new Float64Array([1, 2]) };
    const served = bus.serve<{ fail?: boolean; note: string[] }, typeof reply>(
      subject,
      'local',
      async (req, meta) => {
        if (req.fail) throw new StrataError('unavailable', 'moved', undefined, { reason: 'moved' });
        req.note.push(meta.headers['X-Request-Id'] ?? 'none');
        return reply;
      },
      { inProcess: true },
    );
    await bus.connection.flush();
    const request = { note: [] as string[] };
    // The reply is the handler's own object: typed arrays survive, nothing was encoded.
    const answer = await bus.request<typeof request, typeof reply>(subject, request, {
      headers: { 'X-Request-Id': 'r1' },
    });
    expect(answer).toBe(reply);
    expect(request.note).toEqual([]);
    await expect(bus.request(subject, { fail: true, note: [] })).rejects.toMatchObject({
      code: 'unavailable',
      reason: 'moved',
    });
    // Another process still reaches it over NATS, and gets JSON.
    await expect(other.request(subject, { note: [] })).resolves.toEqual({
      samples: { '0': 1, '1': 2 },
    });
    await other.connection.flush();
    expect(crossed).toBe(1);
    monitor.unsubscribe();
    await other.connection.flush();
    await served.stop();
    await expect(bus.request(subject, { note: [] })).rejects.toBeInstanceOf(NoRespondersError);
    await other.drain();
  });
});
