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
      STRATA_ADMIN_TOKEN: 'process-admin-token-0123456789',
      STRATA_TARGET: 'gateway',
      LOG_LEVEL: 'error',
    });
    running = await startServices({ config, services: [gatewayService], handleSignals: false });
    url = running.app.get(GatewayServer).gateway?.url ?? '';
  });
  afterAll(() => running.stop());

  it('listens on HTTP_PORT and serves health without its own health server', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(running.healthUrl).toBeNull();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  // No control plane runs in this process; another spec's may answer on the shared nats-server.
  it('reports the control plane next to the process checks, and is ready only when all pass', async () => {
    const res = await fetch(`${url}/readyz`);
    const body = (await res.json()) as { checks: Record<string, { ok: boolean; detail?: string }> };
    expect(body.checks.bus.ok).toBe(true);
    expect(body.checks.controlPlane).toBeDefined();
    const ready = Object.values(body.checks).every((c) => c.ok);
    expect(res.status).toBe(ready ? 200 : 503);
    if (!body.checks.controlPlane.ok) expect(body.checks.controlPlane.detail).toMatch(/control-plane|control plane/);
  });

  it("exposes its metrics in the process's registry", async () => {
    await fetch(`${url}/api/v1/admin/tenants`);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toContain('strata_gateway_http_requests_total{method="GET",route="/api/v1/admin/tenants",status="401"');
    expect(text).toContain('process_cpu_user_seconds_total');
  });
});
