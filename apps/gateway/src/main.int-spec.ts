import { connectBus, NoRespondersError } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { freePort } from '@strata/devstack';
import { testNatsLogin, testServices, startAppProcess } from '@strata/testing';

describe('the gateway app', () => {
  it('runs the gateway alone on its HTTP port, answers for it, and stops on SIGINT', async () => {
    const client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('gateway'),
      name: 'gateway-app-spec',
    });
    const port = await freePort();
    const app = await startAppProcess({
      entry: 'apps/gateway/src/main.ts',
      env: {
        NATS_URL: testServices().natsUrl,
        NATS_CREDENTIALS_DIR: testServices().natsCredentialsDir,
        HTTP_PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        STRATA_ADMIN_TOKEN: 'gateway-app-spec-admin-token',
        STRATA_TARGET: 'query',
      },
      ready: /running gateway;/,
    });
    const { child, exited } = app;
    const output = app.output();
    expect(output).toContain('running gateway;');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const unauthenticated = await fetch(`http://127.0.0.1:${port}/api/v1/admin/tenants`);
    expect(unauthenticated.status).toBe(401);
    await expect(client.request(Subjects.serviceInfo('gateway'), {})).resolves.toMatchObject({
      service: 'gateway',
      pid: child.pid,
    });

    child.kill('SIGINT');
    await exited;
    await expect(client.request(Subjects.serviceInfo('gateway'), {})).rejects.toBeInstanceOf(
      NoRespondersError,
    );
    await client.drain();
  }, 90_000);
});
