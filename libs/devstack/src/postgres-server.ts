import { execFileSync } from 'node:child_process';
import { accessSync, chownSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { POSTGRES } from './debian-packages';
import { spawnManaged, type ManagedProcess } from './managed-process';
import { freePort, waitForPort } from './ports';

export interface PostgresServerOptions {
  /** Directory for the cluster, its socket and its log. */
  dataDir: string;
  port?: number;
  /** Database created on first start. */
  database: string;
  /**
   * Trades durability for speed: fsync and synchronous commit off. Only for throwaway test
   * clusters; the start command keeps Postgres durable.
   */
  ephemeral?: boolean;
}

export interface RunningPostgresServer {
  /** URL of `database` as the cluster's superuser. */
  url: string;
  port: number;
  process: ManagedProcess;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

/** Postgres refuses to run as root, so root runs it as the `postgres` user that Debian's package creates. */
function runAs(): RunAs {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function assertReachable(dir: string, user: RunAs): void {
  if (user.uid === undefined) return;
  try {
    execFileSync('test', ['-w', dir], { uid: user.uid, gid: user.gid });
  } catch {
    throw new Error(
      `the postgres user cannot write ${dir}: a parent directory is closed to other users; ` +
        'clone the project under a directory others can traverse, or set DATABASE_URL',
    );
  }
}

/** Creates (on first use) and starts a Postgres cluster on loopback with its data in `dataDir`. */
export async function startPostgresServer(
  options: PostgresServerOptions,
): Promise<RunningPostgresServer> {
  const bin = POSTGRES.find();
  if (!bin) throw new Error('PostgreSQL server is not installed (Debian package postgresql)');
  const user = runAs();
  const clusterDir = join(options.dataDir, 'cluster');
  mkdirSync(options.dataDir, { recursive: true });
  if (user.uid !== undefined) chownSync(options.dataDir, user.uid, user.gid ?? user.uid);
  assertReachable(options.dataDir, user);
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    execFileSync(
      join(bin, 'initdb'),
      ['-D', clusterDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8'],
      { uid: user.uid, gid: user.gid, stdio: 'ignore' },
    );
    writeFileSync(
      join(clusterDir, 'pg_hba.conf'),
      'local all all trust\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n',
    );
    if (user.uid !== undefined)
      chownSync(join(clusterDir, 'pg_hba.conf'), user.uid, user.gid ?? user.uid);
  }
  accessSync(clusterDir, constants.F_OK);
  const port = options.port ?? (await freePort());
  const settings = [
    `listen_addresses=127.0.0.1`,
    `port=${port}`,
    `unix_socket_directories=${options.dataDir}`,
    'max_connections=200',
    ...(options.ephemeral ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const server = spawnManaged({
    name: 'postgres',
    command: join(bin, 'postgres'),
    args: ['-D', clusterDir, ...settings.flatMap((s) => ['-c', s])],
    logFile: join(options.dataDir, 'postgres.log'),
    uid: user.uid,
    gid: user.gid,
  });
  await Promise.race([
    waitForPort(port, 'postgres'),
    server.exited.then((code) => {
      throw new Error(`postgres exited with ${code}; see ${server.logFile}`);
    }),
  ]);
  const base = `postgres://postgres@127.0.0.1:${port}`;
  // The port opens before crash recovery of a durable cluster ends; until then connections get
  // "the database system is starting up".
  for (let attempt = 0; ; attempt++) {
    try {
      await createDatabaseIfMissing(`${base}/postgres`, options.database);
      break;
    } catch (error) {
      if (attempt >= 100 || !/starting up|recovery/.test(String(error))) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // SIGINT is Postgres' "fast" shutdown: it rolls back open transactions and checkpoints.
  const process: ManagedProcess = { ...server, stop: (_s, grace) => server.stop('SIGINT', grace) };
  return { url: `${base}/${options.database}`, port, process };
}

/** Creates `database` unless it exists; used by the start command and by each integration spec. */
export async function createDatabaseIfMissing(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database)) throw new Error(`invalid database name ${database}`);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE ${database}`);
  } finally {
    await client.end();
  }
}
