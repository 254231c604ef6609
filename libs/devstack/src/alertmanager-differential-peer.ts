import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './debian-packages';
import { spawnManaged } from './managed-process';
import { freePort } from './ports';

/** How to run Debian's Alertmanager for a differential test. */
export interface AlertmanagerOptions {
  /** alertmanager.yml. */
  config: string;
  /** `--web.external-url`; default its own URL. */
  externalUrl?: string;
  readyTimeoutMs?: number;
}

/** An Alertmanager on loopback with clustering off (no peer wait before notifying). */
export interface RunningAlertmanager {
  readonly url: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM, SIGKILL after 10 s; removes its directory. */
  stop(): Promise<void>;
}

/** Starts Debian's `prometheus-alertmanager` and waits until `/-/ready` answers. */
export async function startAlertmanager(
  options: AlertmanagerOptions,
): Promise<RunningAlertmanager> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-am-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'alertmanager.yml');
  writeFileSync(config, options.config);
  const logFile = join(dir, 'alertmanager.log');
  const binary =
    which('prometheus-alertmanager') ?? which('alertmanager') ?? 'prometheus-alertmanager';
  const child = spawnManaged({
    name: 'alertmanager',
    command: binary,
    args: [
      `--config.file=${config}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      `--web.external-url=${options.externalUrl ?? url}`,
      '--cluster.listen-address=',
    ],
    logFile,
  });
  const stop = async (): Promise<void> => {
    await child.stop('SIGTERM', 10_000);
    rmSync(dir, { recursive: true, force: true });
  };
  let exited = false;
  void child.exited.then(() => (exited = true));
  const timeout = options.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeout;
  for (;;) {
    if (exited || Date.now() > deadline) {
      const log = readFileSync(logFile, 'utf8').slice(-4000);
      await stop();
      throw new Error(
        `alertmanager ${exited ? 'exited during start' : `not ready within ${timeout} ms`}: ${log}`,
      );
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, pid: child.pid, logFile, stop };
}
