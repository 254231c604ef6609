import { Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { connectBus, NoRespondersError, type NatsBus } from '@strata/bus';
import { Subjects, type ServiceHealth, type ServiceInfo } from '@strata/contracts';
import { freePort } from '@strata/devstack';
import { testNatsLogin, testServices } from '@strata/testing';
import { parsePlatformConfig } from '../config/platform-config';
import { ReadinessRegistry } from '../health/readiness';
import { defineService } from './define-service';
import { startServices, type RunningServices } from './start-services';

let postgresUp = true;

@Injectable()
class PostgresCheck implements OnModuleInit {
  constructor(private readonly readiness: ReadinessRegistry) {}
  onModuleInit(): void {
    this.readiness.register('postgres', () =>
      postgresUp ? { ok: true } : { ok: false, detail: 'connection refused' },
    );
  }
}

@Module({ providers: [PostgresCheck] })
class FakeStoreModule {}

@Module({})
class EmptyModule {}

describe('startServices', () => {
  let running: RunningServices;
  let client: NatsBus;

  beforeAll(async () => {
    const config = parsePlatformConfig({
      NATS_URL: testServices().natsUrl,
      NATS_CREDENTIALS_DIR: testServices().natsCredentialsDir,
      HEALTH_PORT: String(await freePort()),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    running = await startServices({
      config,
      services: [
        defineService('store', FakeStoreModule),
        defineService('compactor', () => EmptyModule),
      ],
      handleSignals: false,
    });
    client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('gateway'),
      name: 'service-kit-spec',
    });
  });
  afterAll(async () => {
    await running.stop();
    await client.drain();
  });

  it('answers health and info for each service it runs, and nothing for others', async () => {
    const health = await client.request<object, ServiceHealth>(Subjects.serviceHealth('store'), {});
    expect(health).toEqual({
      service: 'store',
      instanceId: running.identity.instanceId,
      status: 'ok',
      checks: { bus: { ok: true }, postgres: { ok: true } },
    });
    const info = await client.request<object, ServiceInfo>(Subjects.serviceInfo('compactor'), {});
    expect(info).toMatchObject({
      service: 'compactor',
      instanceId: running.identity.instanceId,
      pid: process.pid,
    });
    await expect(client.request(Subjects.serviceHealth('query'), {})).rejects.toBeInstanceOf(
      NoRespondersError,
    );
  });

  it('serves /healthz, /readyz and /metrics, and reports the failing check', async () => {
    const url = running.healthUrl as string;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    postgresUp = false;
    const notReady = await fetch(`${url}/readyz`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toMatchObject({ status: 'not_ready', failing: ['postgres'] });
    const health = await client.request<object, ServiceHealth>(Subjects.serviceHealth('store'), {});
    expect(health.status).toBe('degraded');
    postgresUp = true;
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('process_cpu_seconds_total');
    expect(metrics).toContain('strata_bus_connected{instance=');
    expect(metrics).toMatch(
      /strata_bus_request_duration_seconds_count\{[^}]*subject="strata\.service\.health\.v1\.store"[^}]*outcome="ok"[^}]*\} [1-9]/,
    );
  });
});

describe('startServices shutdown', () => {
  it('stops answering, closes HTTP and drains the bus', async () => {
    const config = parsePlatformConfig({
      NATS_URL: testServices().natsUrl,
      NATS_CREDENTIALS_DIR: testServices().natsCredentialsDir,
      HEALTH_PORT: String(await freePort()),
      HTTP_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    });
    const running = await startServices({
      config,
      services: [defineService('ruler', EmptyModule)],
      handleSignals: false,
    });
    const client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('gateway'),
      name: 'service-kit-spec-2',
    });
    await expect(client.request(Subjects.serviceInfo('ruler'), {})).resolves.toMatchObject({
      service: 'ruler',
    });
    await running.stop();
    await expect(client.request(Subjects.serviceInfo('ruler'), {})).rejects.toBeInstanceOf(
      NoRespondersError,
    );
    await expect(fetch(`${running.healthUrl}/healthz`)).rejects.toThrow();
    await client.drain();
  });
});
