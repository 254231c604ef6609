import { randomBytes } from 'node:crypto';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { connectBus } from './connect';
import { ChunkingNotSupportedError } from './errors';
import { type NatsBus } from './nats-bus';

const FIVE_MIB = 5 * 1024 * 1024;
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('payloads above max_payload', () => {
  let bus: NatsBus;

  beforeEach(async () => {
    bus = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'chunk-spec',
      logger: quiet,
    });
  });
  afterEach(async () => {
    await bus.drain();
  });

  it('runs against a server whose max_payload is 1 MiB', () => {
    expect(bus.maxPayload).toBe(1024 * 1024);
  });

  it('carries a 5 MiB request and a 5 MiB reply through request/reply', async () => {
    const subject = uniqueName('test.big');
    const blob = randomBytes(FIVE_MIB / 2).toString('hex');
    let seenHeaders: Record<string, string> = {};
    bus.serve<{ blob: string }, { blob: string; length: number }>(
      subject,
      'big',
      async (req, meta) => {
        seenHeaders = meta.headers;
        return { blob: req.blob.split('').reverse().join(''), length: req.blob.length };
      },
    );
    const reply = await bus.request<{ blob: string }, { blob: string; length: number }>(
      subject,
      { blob },
      { timeoutMs: 20_000, headers: { 'X-Request-Id': 'r1' } },
    );
    expect(reply.length).toBe(FIVE_MIB);
    expect(reply.blob).toBe(blob.split('').reverse().join(''));
    expect(seenHeaders).toEqual({ 'X-Request-Id': 'r1' });
  });

  // Binary requests are sent from another connection: the serving process itself answers its own in-process.
  it('carries a 5 MiB binary request with its JSON metadata, headers hidden from the handler', async () => {
    const subject = uniqueName('test.binary');
    const client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'chunk-spec-client',
      logger: quiet,
    });
    const bytes = randomBytes(FIVE_MIB);
    let seen: { meta: unknown; headers: Record<string, string>; equal: boolean } | null = null;
    bus.serveBinary<{ tenant: string; note: string }, { length: number }>(
      subject,
      'bin',
      async (payload, meta) => {
        seen = {
          meta: meta.meta,
          headers: meta.headers,
          equal: Buffer.from(payload).equals(bytes),
        };
        return { length: payload.length };
      },
    );
    // The other connection's request must not reach the server before this subscription does.
    await bus.connection.flush();
    const meta = { tenant: 't-1', note: 'é\n"quoted"' };
    const reply = await client.requestBinary<typeof meta, { length: number }>(subject, bytes, {
      meta,
      timeoutMs: 20_000,
      headers: { 'X-Request-Id': 'r2' },
    });
    await client.drain();
    expect(reply.length).toBe(FIVE_MIB);
    expect(seen).toEqual({ meta, headers: { 'X-Request-Id': 'r2' }, equal: true });
  });

  it('answers a binary request without metadata with bad_request, and relays a handler StrataError', async () => {
    const subject = uniqueName('test.binary-meta');
    const client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'chunk-spec-client',
      logger: quiet,
    });
    bus.serveBinary<{ fail: boolean }, number>(subject, 'bin', async (payload, { meta }) => {
      if (meta.fail) throw new ChunkingNotSupportedError('s', 'workqueue');
      return payload.length;
    });
    await bus.connection.flush();
    await expect(bus.request(subject, { any: 1 }, { timeoutMs: 5_000 })).rejects.toMatchObject({
      code: 'bad_request',
    });
    await expect(
      client.requestBinary(subject, new Uint8Array(3), { meta: { fail: false } }),
    ).resolves.toBe(3);
    await expect(
      client.requestBinary(subject, new Uint8Array(3), { meta: { fail: true } }),
    ).rejects.toMatchObject({
      code: 'payload_too_large',
    });
    await client.drain();
  });

  it('keeps each chunked exchange on one queue-group member when several run at once', async () => {
    const subject = uniqueName('test.parallel');
    const other = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'chunk-spec-2',
      logger: quiet,
    });
    const handled = { a: 0, b: 0 };
    const sum = (blob: string) => [...blob].reduce((n, c) => n + c.charCodeAt(0), 0);
    bus.serve<{ blob: string }, { sum: number; echo: string }>(subject, 'sum', async ({ blob }) => {
      handled.a++;
      return { sum: sum(blob), echo: blob };
    });
    other.serve<{ blob: string }, { sum: number; echo: string }>(
      subject,
      'sum',
      async ({ blob }) => {
        handled.b++;
        return { sum: sum(blob), echo: blob };
      },
    );
    await other.connection.flush();
    const blobs = Array.from({ length: 6 }, () => randomBytes(1024 * 1024).toString('base64'));
    const replies = await Promise.all(
      blobs.map((blob) =>
        bus.request<{ blob: string }, { sum: number; echo: string }>(
          subject,
          { blob },
          { timeoutMs: 30_000 },
        ),
      ),
    );
    await other.drain();
    expect(replies.map((r) => r.sum)).toEqual(blobs.map(sum));
    expect(replies.map((r) => r.echo)).toEqual(blobs);
    expect(handled.a + handled.b).toBe(6);
  }, 30_000);

  it('carries a small request with a 5 MiB reply', async () => {
    const subject = uniqueName('test.download');
    bus.serve<number, string>(subject, null, async (n) => 'x'.repeat(n));
    await expect(
      bus.request<number, string>(subject, FIVE_MIB, { timeoutMs: 20_000 }),
    ).resolves.toHaveLength(FIVE_MIB);
  });

  it('publishes 5 MiB to JetStream as chunks that a consumer receives whole', async () => {
    const stream = uniqueName('BIG');
    const subject = uniqueName('test.bigjs');
    await bus.ensureStream({ name: stream, subjects: [`${subject}.>`] });
    const data = randomBytes(FIVE_MIB);
    const ack = await bus.publish(`${subject}.p0`, data, {
      msgId: 'write-big',
      headers: { 'X-Tenant': 't1' },
    });
    expect(ack.duplicate).toBe(false);
    await bus.publish(`${subject}.p0`, { small: true });

    const received: Array<{ data: Buffer; headers: Record<string, string>; seq: number }> = [];
    const stop = await bus.consume({ stream, durableName: 'big' }, async (m) => {
      received.push({ data: Buffer.from(m.data), headers: m.headers, seq: m.seq });
    });
    const deadline = Date.now() + 15_000;
    while (received.length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await stop.stop();
    expect(received).toHaveLength(2);
    received.sort((a, b) => a.seq - b.seq);
    expect(received[0].data.equals(data)).toBe(true);
    expect(received[0].headers).toEqual({ 'X-Tenant': 't1', 'Nats-Msg-Id': 'write-big' });
    expect(received[0].seq).toBe(ack.seq);
    expect(JSON.parse(received[1].data.toString())).toEqual({ small: true });
  });

  it('reassembles a chunked message again when its handler fails and it is redelivered', async () => {
    const stream = uniqueName('BIG');
    const subject = uniqueName('test.bigretry');
    await bus.ensureStream({ name: stream, subjects: [`${subject}.>`] });
    const data = randomBytes(3 * 1024 * 1024);
    await bus.publish(`${subject}.p0`, data, { msgId: 'w-retry' });
    const attempts: Array<{ n: number; same: boolean }> = [];
    const stop = await bus.consume(
      { stream, durableName: 'retry', maxDeliver: 3 },
      async (m) => {
        attempts.push({ n: m.deliveryCount, same: Buffer.from(m.data).equals(data) });
        if (m.deliveryCount === 1) throw new Error('transient');
      },
      { retryDelayMs: () => 50, ordered: true },
    );
    const deadline = Date.now() + 15_000;
    while (attempts.length < 2 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await stop.stop();
    expect(attempts).toEqual([
      { n: 1, same: true },
      { n: 2, same: true },
    ]);
  });

  it('dedupes a retried chunked publish part by part', async () => {
    const stream = uniqueName('BIG');
    const subject = uniqueName('test.bigdup');
    await bus.ensureStream({ name: stream, subjects: [`${subject}.>`] });
    const data = randomBytes(FIVE_MIB);
    const first = await bus.publish(`${subject}.p0`, data, { msgId: 'w1' });
    const again = await bus.publish(`${subject}.p0`, data, { msgId: 'w1' });
    expect(again).toEqual({ ...first, duplicate: true });
    const { jetstreamManager } = await import('@nats-io/jetstream');
    const info = await (await jetstreamManager(bus.connection)).streams.info(stream);
    expect(info.state.messages).toBe(first.seq);
  });

  it('refuses to chunk into a work-queue stream, whose acked parts would vanish', async () => {
    const stream = uniqueName('WQ');
    const subject = uniqueName('test.wq');
    await bus.ensureStream({ name: stream, subjects: [`${subject}.>`], retention: 'workqueue' });
    await expect(bus.publish(`${subject}.a`, randomBytes(2 * 1024 * 1024))).rejects.toBeInstanceOf(
      ChunkingNotSupportedError,
    );
  });
});
