import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectBus, NoRespondersError } from '@strata/bus';
import { Subjects } from '@strata/contracts';
import { freePort } from '@strata/devstack';
import { testServices } from '@strata/testing';

const root = join(__dirname, '../../..');

describe('the router app', () => {
  it('runs the router alone, answers for it, and stops on SIGINT', async () => {
    const client = await connectBus({ url: testServices().natsUrl, name: 'router-app-spec' });
    const child = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/router/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        NATS_URL: testServices().natsUrl,
        HEALTH_PORT: String(await freePort()),
        HTTP_HOST: '127.0.0.1',
        // The app runs the router whatever the environment asks for.
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
    while (!/running router;/.test(output) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(output).toContain('running router;');
    await expect(client.request(Subjects.serviceInfo('router'), {})).resolves.toMatchObject({ service: 'router', pid: child.pid });
    await expect(client.request(Subjects.serviceInfo('query'), {})).rejects.toBeInstanceOf(NoRespondersError);
    child.kill('SIGINT');
    await exited;
    await expect(client.request(Subjects.serviceInfo('router'), {})).rejects.toBeInstanceOf(NoRespondersError);
    await client.drain();
  }, 90_000);
});
