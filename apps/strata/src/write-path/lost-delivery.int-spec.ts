import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { type QuotaSpec } from '@strata/contracts';
import { type RunningNatsServer } from '@strata/devstack';
import { ingesterService } from '@strata/ingester';
import { routerService } from '@strata/router';
import { type RunningServices } from '@strata/service-kit';
import {
  OPEN_QUOTA,
  type TcpProxy,
  batchAt,
  clientBus,
  countSamples,
  fakeControlPlane,
  removeTestDirs,
  sendUntilAcked,
  startInProcess,
  startTcpProxy,
  startTestNats,
  storeClient,
  strataEnv,
  waitForStore,
  writeRequest,
} from '@strata/platform/testing';

jest.setTimeout(120_000);

const TENANT = 'lost';

/**
 * The ingester's connection breaks while the server is delivering to it: what was in flight is
 * lost, the connection comes back, and later writes are delivered first. Every acknowledged
 * sample must still reach the heads, long before the consumer's 30 s ack wait would redeliver
 * the lost messages (which the heads, having applied later sequences, would otherwise skip).
 */
describe('a delivery lost on the way to the ingester', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let bus: NatsBus;
  let proxy: TcpProxy;
  const running: RunningServices[] = [];

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    bus = await clientBus(nats);
    fakeControlPlane(bus, new Map<string, QuotaSpec>([[TENANT, OPEN_QUOTA]]));
    proxy = await startTcpProxy(Number(new URL(nats.url).port));
  });

  afterAll(async () => {
    for (const r of running.reverse()) await r.stop();
    await proxy?.close();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it('is applied again, with the writes after it, when the connection comes back', async () => {
    running.push(await startInProcess(strataEnv(nats, join(dir, 'router')), [routerService]));
    // The ingester alone talks through the proxy; a long lease so the break does not move partitions.
    const env = strataEnv(
      { url: proxy.url('nats'), credentialsDir: nats.credentialsDir },
      join(dir, 'ingester'),
      {
        STRATA_LEASE_TTL_SECONDS: '60',
      },
    );
    running.push(await startInProcess(env, [ingesterService]));
    const store = storeClient(bus);
    await waitForStore(store, TENANT);
    const t0 = Date.now() - 60_000;
    const write = (i: number) =>
      sendUntilAcked(bus, writeRequest(TENANT, batchAt('wp_lost', 40, t0 + i * 1_000, i)));
    // While the ingester reconnects its partitions have no responder for a moment.
    const held = () =>
      countSamples(store, TENANT, 'wp_lost').then(
        (c) => c.samples,
        () => -1,
      );
    const until = async (samples: number, timeoutMs: number) => {
      for (const end = Date.now() + timeoutMs; (await held()) < samples;) {
        if (Date.now() > end) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    };

    await write(0);
    await until(40, 30_000);
    expect(await held()).toBe(40);

    // Stored and acknowledged, then delivered into a connection that loses it.
    proxy.blackhole();
    await write(1);
    await new Promise((r) => setTimeout(r, 500));
    proxy.cut();

    await write(2);
    await until(120, 20_000);
    expect(await countSamples(store, TENANT, 'wp_lost')).toEqual({
      series: 40,
      samples: 120,
      distinct: 120,
    });
  });
});
