import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NATS_SERVER } from './debian-packages';
import { spawnManaged, type ManagedProcess } from './managed-process';
import { freePort, waitForPort } from './ports';

export interface NatsServerOptions {
  /** Directory for JetStream storage, the config file and the log. */
  dataDir: string;
  /** Client port; a free one when omitted. */
  port?: number;
  /** Largest message the server accepts; the bus splits anything bigger. */
  maxPayloadBytes?: number;
}

export interface RunningNatsServer {
  url: string;
  port: number;
  process: ManagedProcess;
}

/** Starts a local nats-server with JetStream on loopback, storing everything under `dataDir`. */
export async function startNatsServer(options: NatsServerOptions): Promise<RunningNatsServer> {
  const binary = NATS_SERVER.find();
  if (!binary) throw new Error('nats-server is not installed (Debian package nats-server)');
  mkdirSync(join(options.dataDir, 'jetstream'), { recursive: true });
  const port = options.port ?? (await freePort());
  const configFile = join(options.dataDir, 'nats-server.conf');
  writeFileSync(
    configFile,
    [
      `listen: 127.0.0.1:${port}`,
      `server_name: strata-local-${port}`,
      `max_payload: ${options.maxPayloadBytes ?? 1024 * 1024}`,
      `pid_file: "${join(options.dataDir, 'nats-server.pid')}"`,
      `jetstream { store_dir: "${join(options.dataDir, 'jetstream')}" }`,
      '',
    ].join('\n'),
  );
  const process = spawnManaged({
    name: 'nats-server',
    command: binary,
    args: ['-c', configFile],
    logFile: join(options.dataDir, 'nats-server.log'),
  });
  await Promise.race([
    waitForPort(port, 'nats-server'),
    process.exited.then((code) => {
      throw new Error(`nats-server exited with ${code}; see ${process.logFile}`);
    }),
  ]);
  return { url: `nats://127.0.0.1:${port}`, port, process };
}
