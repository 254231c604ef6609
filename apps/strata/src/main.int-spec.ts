import { connectBus, NoRespondersError, BUS, type Bus, type NatsBus } from '@strata/bus';
import { Subjects, type ServiceHealth, type ServiceInfo } from '@strata/contracts';
import { freePort } from '@strata/devstack';
import { startPlatform } from '@strata/platform';
import { testNatsLogin, testServices, startAppProcess } from '@strata/testing';

async function env() {
  return {
    NATS_URL: testServices().natsUrl,
    NATS_CREDENTIALS_DIR: testServices().natsCredentialsDir,
    HEALTH_PORT: String(await freePort()),
    HTTP_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn' as const,
  };
}

describe('the all-in-one app', () => {
  let client: NatsBus;

  beforeAll(async () => {
    client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('gateway'),
      name: 'strata-app-spec',
    });
  });
  afterAll(async () => {
    await client.drain();
  });

  it('runs --target=router,ingester in one process, answers for both, not for query, and drains on stop', async () => {
    const running = await startPlatform(['--target=router,ingester'], {
      env: await env(),
      handleSignals: false,
    });
    expect(running.services).toEqual(['router', 'ingester']);
    for (const service of ['router', 'ingester'] as const) {
      const health = await client.request<object, ServiceHealth>(
        Subjects.serviceHealth(service),
        {},
      );
      expect(health).toMatchObject({
        service,
        status: 'ok',
        instanceId: running.identity.instanceId,
      });
      const info = await client.request<object, ServiceInfo>(Subjects.serviceInfo(service), {});
      expect(info).toMatchObject({ service, pid: process.pid, version: running.identity.version });
    }
    const missing = await client
      .request(Subjects.serviceHealth('query'), {})
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NoRespondersError);
    expect((missing as NoRespondersError).code).toBe('unavailable');

    const bus = running.app.get<Bus>(BUS);
    await running.stop();
    expect(bus.isConnected()).toBe(false);
    await expect(client.request(Subjects.serviceHealth('router'), {})).rejects.toBeInstanceOf(
      NoRespondersError,
    );
  });

  it('refuses an unknown target with a clear message', async () => {
    const exit = (message: string): never => {
      throw new Error(message);
    };
    await expect(
      startPlatform(['--target', 'router,teleporter'], {
        env: await env(),
        handleSignals: false,
        exit,
      }),
    ).rejects.toThrow(/STRATA_TARGET="router,teleporter": unknown target teleporter/);
  });

  it('as a real process: logs what it runs, answers, and exits cleanly on SIGTERM', async () => {
    const app = await startAppProcess({
      entry: 'apps/strata/src/main.ts',
      args: ['--target=compactor'],
      env: { ...(await env()), LOG_LEVEL: 'info' },
      ready: /running compactor/,
    });
    const { child, exited } = app;
    const output = app.output();
    expect(output).toMatch(
      /running compactor; NATS nats:\/\/127\.0\.0\.1:\d+ as compactor; health and metrics on http:\/\/127\.0\.0\.1:\d+/,
    );
    await expect(client.request(Subjects.serviceInfo('compactor'), {})).resolves.toMatchObject({
      service: 'compactor',
      pid: child.pid,
    });
    child.kill('SIGTERM');
    const { code, signal } = await exited;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
    await expect(client.request(Subjects.serviceInfo('compactor'), {})).rejects.toBeInstanceOf(
      NoRespondersError,
    );
  }, 90_000);
});
