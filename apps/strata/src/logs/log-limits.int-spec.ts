import { join } from 'node:path';
import { type NatsBus } from '@strata/bus';
import { KvBuckets, type LogDailyBytes, logDailyBytesKey, type QuotaSpec } from '@strata/contracts';
import { freePort, type RunningNatsServer } from '@strata/devstack';
import { gatewayService } from '@strata/gateway';
import { utcDay } from '@strata/log-sources';
import {
  ADMIN_TOKEN,
  OPEN_QUOTA,
  clientBus,
  fakeControlPlane,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
  type TestKeys,
} from '@strata/platform/testing';
import { type RunningServices } from '@strata/service-kit';

jest.setTimeout(120_000);

const LINE = 1_000;

describe('per-tenant log limits across two gateway replicas on one NATS', () => {
  let nats: RunningNatsServer;
  let bus: NatsBus;
  const gateways: { url: string; process: RunningServices }[] = [];
  // A trickle of rate: what the tenant gets is its burst, however many gateways it writes through.
  const bursty: QuotaSpec = {
    ...OPEN_QUOTA,
    logIngestionRateBytesPerSecond: 1,
    logIngestionBurstBytes: 8 * LINE,
  };
  const daily: QuotaSpec = { ...OPEN_QUOTA, logBytesPerDay: 10 * LINE + 500 };
  const tenants = new Map<string, QuotaSpec>([
    ['bursty', bursty],
    ['daily', daily],
    ['other', OPEN_QUOTA],
  ]);
  const keys: TestKeys = new Map(
    [...tenants.keys()].map((t) => [`key-${t}`, { tenantId: t, scopes: ['write', 'read'] }]),
  );

  /** Posts one line of `LINE` bytes for `tenant` to gateway `g`; the HTTP status. */
  const post = async (g: number, tenant: string, n: number) => {
    const res = await fetch(`${gateways[g].url}/api/v1/logs`, {
      method: 'POST',
      body: JSON.stringify({ line: `${n}`.padEnd(LINE, '.') }),
      headers: { Authorization: `Bearer key-${tenant}`, 'Content-Type': 'application/json' },
    });
    await res.arrayBuffer();
    return res.status;
  };

  beforeAll(async () => {
    const started = await startTestNats();
    nats = started.server;
    bus = await clientBus(nats);
    fakeControlPlane(bus, tenants, keys);
    for (const name of ['one', 'two']) {
      const port = await freePort();
      const process = await startInProcess(
        strataEnv(nats, join(started.dir, name), {
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(port),
          STRATA_ADMIN_TOKEN: ADMIN_TOKEN,
        }),
        [gatewayService],
      );
      gateways.push({ url: `http://127.0.0.1:${port}`, process });
    }
    // The shared limits open on a gateway's first log request.
    for (const g of [0, 1]) expect(await post(g, 'other', 0)).toBe(200);
    const members = await bus.openKv(KvBuckets.gatewayMembers);
    for (const until = Date.now() + 30_000; (await members.keys('m.>')).length < 2;) {
      if (Date.now() > until) throw new Error('the gateways never both joined');
      await new Promise((r) => setTimeout(r, 200));
    }
    // Each gateway counts the others when it renews (every 2 s).
    await new Promise((r) => setTimeout(r, 4_500));
  });

  afterAll(async () => {
    for (const g of gateways) await g.process.stop();
    await bus?.drain();
    await nats?.process.stop();
    removeTestDirs();
  });

  it("admits the tenant's burst once in total across both gateways, not once per gateway", async () => {
    const statuses: number[] = [];
    for (let n = 0; n < 24; n++) statuses.push(await post(n % 2, 'bursty', n));
    const admitted = statuses.filter((s) => s === 200).length;
    expect(statuses.filter((s) => s !== 200).every((s) => s === 429)).toBe(true);
    // Alone, each gateway would admit the whole burst of 8 lines (16 in all); sharing it, each
    // admits 4, and the rate of 1 byte/s adds nothing like a line over the run.
    expect(admitted).toBe(8);
  });

  it("holds the tenant's daily bytes across both gateways, even when they race", async () => {
    const statuses = await Promise.all(
      Array.from({ length: 30 }, (_, n) => post(n % 2, 'daily', n)),
    );
    // 10 lines fit in 10.5 lines' worth of bytes: exactly 10 are stored, whichever gateway took them.
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(20);
    const days = await bus.openKv(KvBuckets.logDailyBytes);
    const total = await days.get(logDailyBytesKey('daily', utcDay(Date.now())));
    expect(total?.json<LogDailyBytes>().bytes).toBe(10 * LINE);
    expect(await post(0, 'daily', 99)).toBe(429);
    expect(await post(1, 'daily', 99)).toBe(429);
  });

  it('leaves another tenant unaffected', async () => {
    for (let n = 0; n < 10; n++) expect(await post(n % 2, 'other', n)).toBe(200);
  });
});
