import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNatsServer, type RunningNatsServer } from '@strata/devstack';
import { testNatsLogin, testServices, uniqueName } from '@strata/testing';
import { connectBus, reconnectDelay } from './connect';
import { BusClosedError } from './errors';

const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

describe('drain', () => {
  it('lets in-flight request handlers and consumer handlers finish, then closes', async () => {
    const server = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'drain-server',
      logger: quiet,
    });
    const client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('admin'),
      name: 'drain-client',
      logger: quiet,
    });
    const subject = uniqueName('test.drain');
    const stream = uniqueName('D');
    await server.ensureStream({ name: stream, subjects: [`${subject}.js`] });
    let requestStarted = false;
    let consumerFinished = false;
    let consumerStarted = false;
    server.serve(subject, 'd', async () => {
      requestStarted = true;
      await new Promise((r) => setTimeout(r, 300));
      return 'finished';
    });
    await server.consume({ stream, durableName: 'd' }, async () => {
      consumerStarted = true;
      await new Promise((r) => setTimeout(r, 300));
      consumerFinished = true;
    });
    await server.publish(`${subject}.js`, { work: 1 });
    const reply = client.request(subject, {}, { timeoutMs: 5_000 });
    while (!requestStarted || !consumerStarted) await new Promise((r) => setTimeout(r, 10));
    await server.drain();
    expect(consumerFinished).toBe(true);
    await expect(reply).resolves.toBe('finished');
    expect(server.isConnected()).toBe(false);
    await expect(server.request(subject, {})).rejects.toBeInstanceOf(BusClosedError);
    await client.drain();
  });
});

describe('reconnect', () => {
  let dir: string;
  let nats: RunningNatsServer;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-bus-reconnect-'));
  });
  afterAll(async () => {
    await nats?.process.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(reconnectDelay(0, 250, 5_000, () => 0)).toBe(125);
    expect(reconnectDelay(0, 250, 5_000, () => 1)).toBe(250);
    expect(reconnectDelay(3, 250, 5_000, () => 1)).toBe(2_000);
    expect(reconnectDelay(30, 250, 5_000, () => 0.5)).toBe(3_750);
  });

  it('comes back after the nats-server restarts and serves again, with streams intact', async () => {
    nats = await startNatsServer({ dataDir: dir });
    const bus = await connectBus({
      url: nats.url,
      ...nats.login('admin'),
      name: 'reconnect-spec',
      logger: quiet,
      reconnectWaitMs: 50,
      maxReconnectWaitMs: 200,
    });
    const subject = uniqueName('test.rc');
    const stream = uniqueName('RC');
    await bus.ensureStream({ name: stream, subjects: [`${subject}.js`] });
    bus.serve(subject, 'rc', async (n: number) => n + 1);
    const seen: number[] = [];
    await bus.consume({ stream, durableName: 'rc' }, async (m) => {
      seen.push(m.json<{ n: number }>().n);
    });
    await expect(bus.request(subject, 1)).resolves.toBe(2);

    const port = nats.port;
    await nats.process.stop();
    await new Promise((r) => setTimeout(r, 300));
    expect(bus.isConnected()).toBe(false);
    nats = await startNatsServer({ dataDir: dir, port });
    const deadline = Date.now() + 15_000;
    while (!bus.isConnected() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(bus.isConnected()).toBe(true);

    await expect(bus.request(subject, 41, { timeoutMs: 2_000 })).resolves.toBe(42);
    await bus.publish(`${subject}.js`, { n: 7 });
    while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([7]);
    await bus.drain();
  }, 30_000);
});
