import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnManaged } from './managed-process';
import { freePort } from './ports';

export interface PrometheusOptions {
  /**
   * prometheus.yml; a function gets the port Prometheus will listen on, for a config that scrapes
   * Prometheus itself. Default: no scrape jobs.
   */
  config?: string | ((port: number) => string);
  /** Flags beyond config, storage and listen address, e.g. `--web.enable-remote-write-receiver`. */
  flags?: readonly string[];
  /** Where config, data and log go; a temporary directory, removed on stop, when absent. */
  dir?: string;
  binary?: string;
  readyTimeoutMs?: number;
}

/** A Prometheus (Debian's package in tests and benchmarks) on loopback. */
export interface RunningPrometheus {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** As `/api/v1/status/buildinfo` reports it. */
  readonly version: string;
  readonly logFile: string;
  /** SIGTERM, SIGKILL after 10 s; removes the temporary directory if it made one. */
  stop(): Promise<void>;
}

/** Starts Prometheus and waits until `/-/ready` answers; fails with its log if it exits first. */
export async function startPrometheus(options: PrometheusOptions = {}): Promise<RunningPrometheus> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'strata-prom-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  const text = typeof options.config === 'function' ? options.config(port) : options.config;
  writeFileSync(config, text ?? 'global:\n  scrape_interval: 1h\nscrape_configs: []\n');
  const logFile = join(dir, 'prometheus.log');
  const child = spawnManaged({
    name: 'prometheus',
    command: options.binary ?? 'prometheus',
    args: [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'prom')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...(options.flags ?? []),
    ],
    logFile,
  });
  const stop = async (): Promise<void> => {
    await child.stop('SIGTERM', 10_000);
    if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
  };
  let exited = false;
  void child.exited.then(() => (exited = true));
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (exited || Date.now() > deadline) {
      const log = tail(logFile);
      await stop();
      throw new Error(
        `prometheus ${exited ? 'exited during start' : `not ready within ${readyTimeoutMs} ms`}: ${log}`,
      );
    }
    try {
      if ((await fetch(`${url}/-/ready`)).ok) break;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = (await (await fetch(`${url}/api/v1/status/buildinfo`)).json()) as {
    data: { version: string };
  };
  return { url, port, pid: child.pid, version: info.data.version, logFile, stop };
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
}
