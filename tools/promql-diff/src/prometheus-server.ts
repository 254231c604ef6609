import { startPrometheus as startDebianPrometheus } from '@strata/devstack';
import { type WriteBatch } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';

/** A Prometheus started for one test or benchmark run, on loopback, with no scrape jobs. */
export interface PrometheusServer {
  url: string;
  version: string;
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
    stop: () => prom.stop(),
    async write(batch: WriteBatch): Promise<void> {
      const res = await fetch(`${prom.url}/api/v1/write`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'snappy',
          'x-prometheus-remote-write-version': '0.1.0',
        },
        body: encodeWriteRequestV1(batch),
      });
      if (!res.ok) throw new Error(`prometheus remote write: ${res.status} ${await res.text()}`);
    },
  };
}
