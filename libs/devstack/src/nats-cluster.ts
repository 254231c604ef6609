import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NATS_SERVER } from './debian-packages';
import {
  ensureNatsCredentials,
  natsAuthConfig,
  platformNatsUsers,
  type NatsLogin,
} from './nats-auth-config';
import { spawnManaged, type ManagedProcess } from './managed-process';
import { freePort, waitForPort } from './ports';

/** Options of a local nats-server cluster with JetStream. */
export interface NatsClusterOptions {
  /** Each node keeps its config, log and JetStream storage under `<dataDir>/node-<i>`. */
  dataDir: string;
  /** Nodes in the cluster (3 by default: JetStream's replicated streams need a majority of them). */
  nodes?: number;
  /** Largest message the servers accept; the bus splits anything bigger. */
  maxPayloadBytes?: number;
}

/** One node of a running cluster: it can be killed and started again on the same ports and storage. */
export interface NatsClusterNode {
  readonly index: number;
  readonly name: string;
  /** `server_name`, as JetStream reports stream and consumer leaders. */
  readonly serverName: string;
  readonly url: string;
  /** The monitoring endpoint (`/healthz`, `/jsz`, `/varz`). */
  readonly monitorUrl: string;
  /** The running process, or null between `kill` and `start`. */
  readonly process: ManagedProcess | null;
  /** `kill -9`: no shutdown, no flush, as a crashed machine. */
  kill(): Promise<void>;
  /** Starts the node again (same config, same storage) and waits until it is back in the cluster. */
  start(): Promise<void>;
}

/** A local nats-server cluster on loopback. */
export interface RunningNatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL, comma-separated: what `NATS_URL` takes for a cluster. */
  readonly url: string;
  /** Where each identity's password is (`NATS_CREDENTIALS_DIR` for the platform's processes). */
  readonly credentialsDir: string;
  /** User, password and inbox prefix of a platform identity (or the dev admin). */
  login(identity: string): NatsLogin;
  /** Stops every node that runs. */
  stop(): Promise<void>;
}

interface NodePorts {
  client: number;
  cluster: number;
  monitor: number;
}

function serverName(index: number, ports: readonly NodePorts[]): string {
  return `strata-cluster-${index}-${ports[index].client}`;
}

/** The config of node `index`: client, route and monitoring ports on loopback, routes to every other node. */
function nodeConfig(
  index: number,
  ports: readonly NodePorts[],
  dir: string,
  options: NatsClusterOptions,
  auth: string,
): string {
  const own = ports[index];
  const routes = ports
    .filter((_, i) => i !== index)
    .map((p) => `    nats-route://127.0.0.1:${p.cluster}`);
  return [
    `server_name: ${serverName(index, ports)}`,
    `listen: 127.0.0.1:${own.client}`,
    `http: 127.0.0.1:${own.monitor}`,
    `max_payload: ${options.maxPayloadBytes ?? 1024 * 1024}`,
    `pid_file: "${join(dir, 'nats-server.pid')}"`,
    `jetstream { store_dir: "${join(dir, 'jetstream')}" }`,
    'cluster {',
    `  name: strata-local-${ports[0].client}`,
    `  listen: 127.0.0.1:${own.cluster}`,
    '  routes: [',
    ...routes,
    '  ]',
    '}',
    // Every node knows the same users, as the single dev server does: the platform's identities and permissions.
    auth,
    '',
  ].join('\n');
}

/** Polls the node's `/healthz` (JetStream included) until it answers 200, or fails after `timeoutMs`. */
async function waitHealthy(name: string, monitorPort: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${monitorPort}/healthz`);
      if (res.ok) return;
      last = await res.text();
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} was not healthy within ${timeoutMs} ms: ${last}`);
}

/**
 * Starts a nats-server cluster with JetStream on loopback (3 nodes by default), each node with its
 * own storage, and returns once every node reports itself healthy, JetStream's meta group included.
 */
export async function startNatsCluster(options: NatsClusterOptions): Promise<RunningNatsCluster> {
  // A free port can be taken by another process before the node binds it: start over on fresh ones.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options, await distinctFreePorts(3 * (options.nodes ?? 3)));
    } catch (error) {
      if (attempt >= 3 || !(error instanceof PortTakenError)) throw error;
    }
  }
}

class PortTakenError extends Error {}

async function distinctFreePorts(n: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < n) ports.add(await freePort());
  return [...ports];
}

async function startOnce(options: NatsClusterOptions, free: number[]): Promise<RunningNatsCluster> {
  const binary = NATS_SERVER.find();
  if (!binary) throw new Error('nats-server is not installed (Debian package nats-server)');
  const count = options.nodes ?? 3;
  const ports: NodePorts[] = [];
  for (let i = 0; i < count; i++)
    ports.push({ client: free[3 * i], cluster: free[3 * i + 1], monitor: free[3 * i + 2] });

  const credentialsDir = join(options.dataDir, 'credentials');
  const logins = ensureNatsCredentials(credentialsDir);
  const auth = natsAuthConfig(
    platformNatsUsers((identity) => ({ literal: logins.get(identity)?.password ?? '' })),
  );
  const nodes = ports.map((port, index): NatsClusterNode => {
    const dir = join(options.dataDir, `node-${index}`);
    // A fresh cluster: nothing of an attempt that failed on a taken port.
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'jetstream'), { recursive: true });
    const configFile = join(dir, 'nats-server.conf');
    writeFileSync(configFile, nodeConfig(index, ports, dir, options, auth));
    const name = `nats-server ${index}`;
    let running: ManagedProcess | null = null;
    return {
      index,
      name,
      serverName: serverName(index, ports),
      url: `nats://127.0.0.1:${port.client}`,
      monitorUrl: `http://127.0.0.1:${port.monitor}`,
      get process() {
        return running;
      },
      async kill() {
        await running?.stop('SIGKILL');
        running = null;
      },
      async start() {
        if (running) return;
        const started = spawnManaged({
          name,
          command: binary,
          args: ['-c', configFile],
          logFile: join(dir, 'nats-server.log'),
        });
        running = started;
        let listening = false;
        await Promise.race([
          waitForPort(port.client, name).then(() => {
            listening = true;
          }),
          // Only an exit before listening fails the start; a later kill is the caller's own doing.
          started.exited.then((code) => {
            if (listening) return;
            const log = readFileSync(started.logFile, 'utf8');
            const message = `${name} exited with ${code}; see ${started.logFile}`;
            throw log.includes('address already in use')
              ? new PortTakenError(message)
              : new Error(message);
          }),
        ]);
        // Back once it is in the cluster and its JetStream has caught up, not merely listening.
        await waitHealthy(name, port.monitor);
      },
    };
  });
  const stop = async () => {
    await Promise.all(nodes.map((n) => n.process?.stop()));
  };
  try {
    // Together: routes are retried by the servers, and JetStream is healthy only once a majority is up.
    await Promise.all(nodes.map((n) => n.start()));
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    nodes,
    url: nodes.map((n) => n.url).join(','),
    credentialsDir,
    login(identity) {
      const login = logins.get(identity);
      if (!login)
        throw new Error(`no NATS identity ${identity}; known: ${[...logins.keys()].join(', ')}`);
      return login;
    },
    stop,
  };
}
