import { startPrometheus as startDebianPrometheus } from '@strata/devstack';
import { type WriteBatch } from '@strata/remote-write';
import { remoteWrite } from '@strata/remote-write/testing';

/** A Prometheus started for one test or benchmark run, on loopback, with no scrape jobs. */
export interface PrometheusServer {
  url: string;
  version: string;
  /** The server's process id. */
  pid: number;
  write(batch: WriteBatch): Promise<void>;
  stop(): Promise<void>;
}

/** Starts Debian's `prometheus` as a remote-write receiver with exemplar storage, once ready. */
export async function startPrometheus(binary = 'prometheus'): Promise<PrometheusServer> {
  const prom = await startDebianPrometheus({
    binary,
    flags: [
      '--web.enable-remote-write-receiver',
      '--enable-feature=exemplar-storage',
      '--log.level=warn',
    ],
  });
  return {
    url: prom.url,
    version: prom.version,
    pid: prom.pid,
    stop: () => prom.stop(),
    write: (batch: WriteBatch) => remoteWrite(`${prom.url}/api/v1/write`, batch),
  };
}
