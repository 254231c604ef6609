import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, spawnManaged, waitForPort, type ManagedProcess } from '@strata/devstack';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { labelsFrom } from '@strata/tsdb';

/** A real Alertmanager (Debian's `prometheus-alertmanager`), by default with one do-nothing receiver. */
export async function startAlertmanager(
  dir: string,
  config = 'route:\n  receiver: blackhole\n  group_wait: 0s\nreceivers:\n  - name: blackhole\n',
): Promise<{ url: string; stop(): Promise<void>; query(): string }> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'am.yml'), config);
  const child: ManagedProcess = spawnManaged({
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    logFile: join(dir, 'alertmanager.log'),
  });
  await waitForPort(port, 'alertmanager');
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    stop: () => child.stop('SIGTERM', 10_000),
    query: () =>
      execFileSync('amtool', ['alert', 'query', '--alertmanager.url', url, '-o', 'json'], {
        encoding: 'utf8',
      }),
  };
}

/** Pushes one sample per instance of `metric` through the gateway's remote-write route. */
export async function push(
  gateway: string,
  token: string,
  tenant: string,
  metric: string,
  values: Record<string, number>,
  t = Date.now(),
): Promise<void> {
  const body = encodeWriteRequestV1({
    metadata: [],
    series: Object.entries(values).map(([instance, v]) => ({
      labels: labelsFrom({ __name__: metric, instance, job: 'spec' }),
      timestamps: new Float64Array([t]),
      values: new Float64Array([v]),
      exemplars: [],
    })),
  });
  const res = await fetch(`${gateway}/api/v1/push`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'x-scope-orgid': tenant,
      'content-type': 'application/x-protobuf',
      'content-encoding': 'snappy',
      'x-prometheus-remote-write-version': '0.1.0',
    },
    body,
  });
  if (res.status !== 204) throw new Error(`push answered ${res.status}: ${await res.text()}`);
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
