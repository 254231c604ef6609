import { connectBus, NoRespondersError } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { freePort } from '@strata/devstack';
import { testNatsLogin, testServices, startAppProcess } from '@strata/testing';

describe('the router app', () => {
  it('runs the router alone, answers for it, and stops on SIGINT', async () => {
    const client = await connectBus({
      url: testServices().natsUrl,
      ...testNatsLogin('gateway'),
      name: 'router-app-spec',
    });
    const app = await startAppProcess({
      entry: 'apps/router/src/main.ts',
      env: {
        NATS_URL: testServices().natsUrl,
        NATS_CREDENTIALS_DIR: testServices().natsCredentialsDir,
        HEALTH_PORT: String(await freePort()),
        HTTP_HOST: '127.0.0.1',
        // The app runs the router whatever the environment asks for.
        STRATA_TARGET: 'query',
      },
      ready: /running router;/,
    });
    const { child, exited } = app;
    const output = app.output();
    expect(output).toContain('running router;');
    await expect(client.request(Subjects.serviceInfo('router'), {})).resolves.toMatchObject({
      service: 'router',
      pid: child.pid,
    });
    await expect(client.request(Subjects.serviceInfo('query'), {})).rejects.toBeInstanceOf(
      NoRespondersError,
    );
    child.kill('SIGINT');
    await exited;
    await expect(client.request(Subjects.serviceInfo('router'), {})).rejects.toBeInstanceOf(
      NoRespondersError,
    );
    await client.drain();
  }, 90_000);
});
