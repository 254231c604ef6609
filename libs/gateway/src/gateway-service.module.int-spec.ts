import { freePort } from '@strata/devstack';
import { parsePlatformConfig, type RunningServices, startServices } from '@strata/service-kit';
import { testServices } from '@strata/testing';
import { GatewayServer, gatewayService } from './gateway-service.module';

describe('the gateway as a service of a Strata process', () => {
  let running: RunningServices;
  let url: string;

  beforeAll(async () => {
    const port = await freePort();
    const config = parsePlatformConfig({
      NATS_URL: testServices().natsUrl,
      NATS_CREDENTIALS_DIR: testServices().natsCredentialsDir,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(port),
      HEALTH_PORT: '0',
      STRATA_ADMIN_TOKEN: 'process-admin-token-0123456789',
      STRATA_TARGET: 'gateway',
      LOG_LEVEL: 'error',
    });
    running = await startServices({ config, services: [gatewayService], handleSignals: false });
    url = running.app.get(GatewayServer).gateway?.url ?? '';
  });
  afterAll(() => running.stop());

  it('listens on HTTP_PORT and answers kubelet probes there, beside an internal listener of its own', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.healthUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.healthUrl).not.toBe(url);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${running.healthUrl}/healthz`)).status).toBe(200);
  });

  // No control plane runs in this process; another spec's may answer on the shared nats-server.
  it('reports the control plane next to the process checks, and is ready only when all pass', async () => {
    const res = await fetch(`${url}/readyz`);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.checks.bus.ok).toBe(true);
    expect(body.checks.controlPlane).toBeDefined();
    const ready = Object.values(body.checks).every((c) => c.ok);
    expect(res.status).toBe(ready ? 200 : 503);
    if (!body.checks.controlPlane.ok)
      expect(body.checks.controlPlane.detail).toMatch(/control-plane|control plane/);
  });

  it("serves its metrics on the process's internal listener, and none on the public port", async () => {
    await fetch(`${url}/api/v1/admin/tenants`);
    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).toBe(404);
    const admin = await fetch(`${url}/metrics`, {
      headers: { authorization: 'Bearer process-admin-token-0123456789' },
    });
    expect(admin.status).toBe(404);
    expect(await admin.text()).not.toContain('strata_gateway_http_requests_total');
    const internal = await fetch(`${running.healthUrl}/metrics`);
    expect(internal.status).toBe(200);
    const text = await internal.text();
    expect(text).toContain(
      'strata_gateway_http_requests_total{method="GET",route="/api/v1/admin/tenants",status="401"',
    );
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
