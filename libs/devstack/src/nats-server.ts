import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  NATS_DEV_ADMIN,
  ensureNatsCredentials,
  natsAuthConfig,
  platformNatsUsers,
  type NatsLogin,
} from './nats-auth-config';
import { NATS_SERVER } from './debian-packages';
import { spawnManaged, type ManagedProcess } from './managed-process';
import { freePort, waitForPort } from './ports';

/** Certificate files of a TLS-only nats-server. */
export interface NatsServerTls {
  /** The server's certificate (its names must include 127.0.0.1 or localhost) and key. */
  certFile: string;
  keyFile: string;
  /** The CA whose certificates clients must present (mutual TLS); clients need no certificate without it. */
  caFile?: string;
}

export interface NatsServerOptions {
  /** Directory for JetStream storage, the config file, the log and the credentials. */
  dataDir: string;
  /** Client port; a free one when omitted. */
  port?: number;
  /** Largest message the server accepts; the bus splits anything bigger. */
  maxPayloadBytes?: number;
  /** Serve TLS only, with these files. */
  tls?: NatsServerTls;
}

export interface RunningNatsServer {
  url: string;
  port: number;
  process: ManagedProcess;
  /** Password files of every identity (`<identity>.password`): what `NATS_CREDENTIALS_DIR` points at. */
  credentialsDir: string;
  /** User, password and inbox prefix of one identity (a service, `monolith` or the dev `admin`). */
  login(identity: string): NatsLogin;
}

/** The `tls {}` block of a nats-server config. */
export function natsTlsConfig(tls: NatsServerTls): string {
  return [
    'tls {',
    `  cert_file: ${JSON.stringify(tls.certFile)}`,
    `  key_file: ${JSON.stringify(tls.keyFile)}`,
    ...(tls.caFile ? [`  ca_file: ${JSON.stringify(tls.caFile)}`, '  verify: true'] : []),
    '}',
    '',
  ].join('\n');
}

/**
 * Starts a local nats-server with JetStream on loopback, storing everything under `dataDir`.
 * Every client authenticates: the config has one user per platform identity with the
 * permissions of libs/contracts, and the passwords are generated into `credentialsDir`.
 */
export async function startNatsServer(options: NatsServerOptions): Promise<RunningNatsServer> {
  const binary = NATS_SERVER.find();
  if (!binary) throw new Error('nats-server is not installed (Debian package nats-server)');
  mkdirSync(join(options.dataDir, 'jetstream'), { recursive: true });
  const port = options.port ?? (await freePort());
  const credentialsDir = join(options.dataDir, 'credentials');
  const logins = ensureNatsCredentials(credentialsDir);
  const users = platformNatsUsers((identity) => ({
    literal: logins.get(identity)?.password ?? '',
  }));
  const configFile = join(options.dataDir, 'nats-server.conf');
  writeFileSync(
    configFile,
    [
      `listen: 127.0.0.1:${port}`,
      `server_name: strata-local-${port}`,
      `max_payload: ${options.maxPayloadBytes ?? 1024 * 1024}`,
      `pid_file: "${join(options.dataDir, 'nats-server.pid')}"`,
      `jetstream { store_dir: "${join(options.dataDir, 'jetstream')}" }`,
      // Passwords are in the file: readable by its owner only.
      natsAuthConfig(users),
      ...(options.tls ? [natsTlsConfig(options.tls)] : []),
    ].join('\n'),
    { mode: 0o600 },
  );
  chmodSync(configFile, 0o600);
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
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    process,
    credentialsDir,
    login(identity) {
      const login = logins.get(identity);
      if (!login)
        throw new Error(`no NATS identity ${identity}; known: ${[...logins.keys()].join(', ')}`);
      return login;
    },
  };
}

export { NATS_DEV_ADMIN };
