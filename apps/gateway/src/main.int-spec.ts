import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectBus, NoRespondersError } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { freePort } from '@strata/devstack';
import { testServices } from '@strata/testing';

const root = join(__dirname, '../../..');

describe('the gateway app', () => {
  it('runs the gateway alone on its HTTP port, answers for it, and stops on SIGINT', async () => {
    const client = await connectBus({ url: testServices().natsUrl, name: 'gateway-app-spec' });
    const port = await freePort();
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/gateway/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NATS_URL: testServices().natsUrl,
        HTTP_PORT: String(port),
        HTTP_HOST: '127.0.0.1',
        STRATA_ADMIN_TOKEN: 'gateway-app-spec-admin-token',
        STRATA_TARGET: 'query',
        SWC_NODE_PROJECT: join(root, 'tsconfig.json'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 60_000;
    while (!/running gateway;/.test(output) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('running gateway;');

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
    const unauthenticated = await fetch(`http://127.0.0.1:${port}/api/v1/admin/tenants`);
    expect(unauthenticated.status).toBe(401);
    await expect(client.request(Subjects.serviceInfo('gateway'), {})).resolves.toMatchObject({ service: 'gateway', pid: child.pid });

    child.kill('SIGINT');
    await exited;
    await expect(client.request(Subjects.serviceInfo('gateway'), {})).rejects.toBeInstanceOf(NoRespondersError);
    await client.drain();
  }, 90_000);
});
