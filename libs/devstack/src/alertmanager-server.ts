// Debian's Alertmanager for specs, with one webhook receiver that records what it is sent.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnManaged } from './managed-process';
import { freePort } from './ports';

/** What Alertmanager's webhook (v4) posts. */
export interface WebhookMessage {
  status: string;
  alerts: Array<{
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
  }>;
}

/** A running Alertmanager and what its webhook receiver got. */
export interface AlertmanagerWithWebhook {
  url: string;
  received: WebhookMessage[];
  stop(): Promise<void>;
}

/** Starts `prometheus-alertmanager` routing everything at once to a local webhook. */
export async function startAlertmanagerWithWebhook(): Promise<AlertmanagerWithWebhook> {
  const received: WebhookMessage[] = [];
  const hook: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body) as WebhookMessage);
      res.end();
    });
  });
  const hookPort = await freePort();
  await new Promise<void>((r) => hook.listen(hookPort, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'strata-am-'));
  const port = await freePort();
  writeFileSync(
    join(dir, 'am.yml'),
    `route:\n  receiver: hook\n  group_by: ['...']\n  group_wait: 0s\n  group_interval: 1s\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:${hookPort}/\n`,
  );
  const child = spawnManaged({
    name: 'alertmanager',
    command: 'prometheus-alertmanager',
    args: [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
    ],
    logFile: join(dir, 'am.log'),
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error('alertmanager not ready in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    received,
    async stop() {
      await child.stop('SIGTERM', 5_000);
      await new Promise((r) => hook.close(r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
