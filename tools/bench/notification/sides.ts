// The two receivers of the notification bench, each in processes of its own so that neither
// shares a thread with the load generator and the webhook sink: Debian's Alertmanager (a fresh
// process per round) and Strata (control plane, gateway and notification service as deployed,
// one tenant per round), optionally from another checkout for a before/after in the same run.
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import {
  freePort,
  spawnManaged,
  startAlertmanager,
  startLocalStack,
  startNatsServer,
} from '@strata/devstack';
import { type ManagedProcess } from '@strata/devstack';

/** A post's answer: its status, and its text when it was not a 200. */
export interface Posted {
  readonly status: number;
  readonly text: string;
}

/** Where a round posts and which sink path its notifications reach. */
export interface Target {
  readonly post: (body: string) => Promise<Posted>;
  /** Processes whose CPU time the round is charged (Strata's include nats-server). */
  readonly processes: ReadonlyArray<{ name: string; pid: number }>;
  readonly sinkPath: string;
  readonly done: () => Promise<void>;
}

/** One receiver under test. */
export interface Side {
  readonly name: string;
  round(round: number): Promise<Target>;
  stop(): Promise<void>;
}

const TOKEN = 'bench-admin-token-0123456789abc';

/** Alertmanager's configuration (Strata takes the same YAML). */
export function benchConfig(sinkUrl: string, path: string, groupWaitS: number): string {
  return `route:
  receiver: hook
  group_by: [group]
  group_wait: ${groupWaitS}s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: hook
    webhook_configs: [{ url: '${sinkUrl}${path}', send_resolved: false }]
`;
}

/** Debian's Alertmanager, started afresh for every round so each starts empty. */
export function alertmanagerSide(sinkUrl: string, groupWaitS: number): Side {
  return {
    name: 'alertmanager',
    async round(round) {
      const sinkPath = `/am-${round}`;
      const am = await startAlertmanager({ config: benchConfig(sinkUrl, sinkPath, groupWaitS) });
      return {
        sinkPath,
        processes: [{ name: 'alertmanager', pid: am.pid }],
        post: (body) =>
          postJson(`${am.url}/api/v2/alerts`, { 'content-type': 'application/json' }, body),
        done: () => am.stop(),
      };
    },
    stop: () => Promise.resolve(),
  };
}

/**
 * Strata from the checkout at `root`: its own nats-server and Postgres, the control plane, the
 * gateway and the notification service as processes (`processes`: targets, `;` between
 * processes). Every round is a new tenant with the bench's configuration.
 */
export async function strataSide(
  name: string,
  root: string,
  dir: string,
  sinkUrl: string,
  groupWaitS: number,
  processes: string,
): Promise<Side> {
  mkdirSync(dir, { recursive: true });
  // Started here, not by the stack, so that its CPU time is charged to Strata: the JetStream
  // writes are part of Strata's promise (Alertmanager keeps alerts in memory only).
  const nats = await startNatsServer({ dataDir: join(dir, 'nats') });
  const stack = await startLocalStack({
    dataDir: join(dir, 'stack'),
    ephemeral: true,
    natsUrl: nats.url,
  });
  const port = await freePort();
  const gateway = `http://127.0.0.1:${port}`;
  const profileDir = process.env.STRATA_BENCH_PROFILE;
  const children: ManagedProcess[] = [];
  const targets = processes.split(';');
  for (const [i, target] of targets.entries()) {
    const profile = profileDir ? ['-r', join(__dirname, 'cpu-profile.ts')] : [];
    children.push(
      spawnManaged({
        name: `${name}-${i}`,
        command: process.execPath,
        args: ['-r', '@swc-node/register', ...profile, 'apps/strata/src/main.ts'],
        cwd: root,
        logFile: join(dir, `${name}-${i}.log`),
        env: {
          ...process.env,
          STRATA_TARGET: target,
          NATS_URL: nats.url,
          NATS_CREDENTIALS_DIR: nats.credentialsDir,
          DATABASE_URL: stack.databaseUrl,
          HTTP_HOST: '127.0.0.1',
          HTTP_PORT: String(target.includes('gateway') ? port : await freePort()),
          HEALTH_PORT: String(await freePort()),
          STRATA_ADMIN_TOKEN: TOKEN,
          STRATA_DATA_DIR: join(dir, `data-${i}`),
          STRATA_BENCH_PROFILE_NAME: `${name}-${target.replace(/,/g, '+')}`,
          SWC_NODE_PROJECT: 'tsconfig.json',
          LOG_LEVEL: 'warn',
        },
      }),
    );
  }
  const admin = (path: string, method: string, body?: unknown) =>
    fetch(`${gateway}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  // Ready once a tenant's Alertmanager answers through the gateway (every process is up).
  for (const until = Date.now() + 180_000; ;) {
    const ok = await admin('/api/v1/admin/tenants', 'POST', {
      tenantId: 'warmup',
      displayName: 'w',
    })
      .then(() =>
        fetch(`${gateway}/alertmanager/api/v2/status`, {
          headers: { authorization: `Bearer ${TOKEN}`, 'x-scope-orgid': 'warmup' },
        }),
      )
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > until) throw new Error(`${name} did not start; logs in ${dir}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    name,
    async round(round) {
      const tenantId = round < 0 ? `bench-warm-up${-round}` : `bench-${round}`;
      const sinkPath = `/${name}-${round}`;
      const created = await admin('/api/v1/admin/tenants', 'POST', { tenantId, displayName: name });
      if (created.status >= 300) throw new Error(`${name}: tenant ${created.status}`);
      const put = await admin(`/api/v1/admin/tenants/${tenantId}/alertmanager/config`, 'PUT', {
        alertmanagerConfig: benchConfig(sinkUrl, sinkPath, groupWaitS),
      });
      if (put.status !== 200) throw new Error(`${name}: config ${put.status} ${await put.text()}`);
      return {
        sinkPath,
        processes: [
          ...targets.map((t, i) => ({ name: t, pid: children[i].pid })),
          { name: 'nats-server', pid: nats.process.pid },
        ],
        post: (body) =>
          postJson(
            `${gateway}/alertmanager/api/v2/alerts`,
            {
              authorization: `Bearer ${TOKEN}`,
              'x-scope-orgid': tenantId,
              'content-type': 'application/json',
            },
            body,
          ),
        done: () => Promise.resolve(),
      };
    },
    async stop() {
      if (profileDir) {
        for (const c of children) process.kill(c.pid, 'SIGUSR2');
        for (const c of children)
          for (const until = Date.now() + 30_000; Date.now() < until;) {
            if (readFileSync(c.logFile, 'utf8').includes('cpu profile written')) break;
            await new Promise((r) => setTimeout(r, 200));
          }
      }
      await Promise.all(children.map((c) => c.stop('SIGTERM', 15_000)));
      await stack.stop();
      await nats.process.stop('SIGTERM', 10_000);
    },
  };
}

/**
 * The load generator's post, the same for both sides: undici's own client rather than fetch,
 * whose streams cost several times the CPU per request on the cores the receivers run on, and
 * the answer read to its end so the connection is kept for the next post.
 */
async function postJson(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<Posted> {
  const res = await request(url, { method: 'POST', headers, body });
  if (res.statusCode === 200) {
    await res.body.dump();
    return { status: 200, text: '' };
  }
  return { status: res.statusCode, text: await res.body.text() };
}

/** Whether `root` holds a checkout the bench can run Strata from. */
export function isCheckout(root: string): boolean {
  return existsSync(join(root, 'apps/strata/src/main.ts')) && readdirSync(root).length > 0;
}
