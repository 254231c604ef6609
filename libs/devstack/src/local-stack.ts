import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { NATS_SERVER, POSTGRES, ensurePrograms } from './debian-packages';
import { type NatsLogin } from './nats-auth-config';
import { startNatsServer, type RunningNatsServer } from './nats-server';
import { startPostgresServer, type RunningPostgresServer } from './postgres-server';

export interface LocalStackOptions {
  /** Where data, sockets and logs go: `<project>/.strata/<profile>`. */
  dataDir: string;
  /** Use this NATS instead of starting one (the user's NATS_URL). */
  natsUrl?: string;
  /** Use this Postgres instead of starting one (the user's DATABASE_URL). */
  databaseUrl?: string;
  natsPort?: number;
  postgresPort?: number;
  database?: string;
  /** Wipe `dataDir` first and run Postgres without fsync: for test runs. */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

/** The dependencies the platform needs, either started here or given from outside. */
export interface LocalStack {
  natsUrl: string;
  /** User, password and inbox prefix of an identity on the started nats-server; nothing when NATS is external. */
  natsLogin(identity: string): Partial<NatsLogin>;
  /** Password files of the NATS identities (`NATS_CREDENTIALS_DIR`) of the started nats-server; null when NATS is external. */
  natsCredentialsDir: string | null;
  databaseUrl: string;
  /** The superuser URL of the started cluster, for creating per-spec databases; null when external. */
  postgresAdminUrl: string | null;
  started: string[];
  stop(): Promise<void>;
}

/**
 * Installs what is missing and starts nats-server and Postgres on loopback, each only when no
 * URL was given for it. Everything it starts, `stop()` stops.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const needed = [
    ...(options.natsUrl ? [] : [NATS_SERVER]),
    ...(options.databaseUrl ? [] : [POSTGRES]),
  ];
  ensurePrograms(needed, log);
  if (options.ephemeral) rmSync(options.dataDir, { recursive: true, force: true });

  let nats: RunningNatsServer | null = null;
  let postgres: RunningPostgresServer | null = null;
  try {
    if (!options.natsUrl) {
      nats = await startNatsServer({
        dataDir: join(options.dataDir, 'nats'),
        port: options.natsPort,
      });
      log(
        `nats-server (JetStream) on ${nats.url}, data in ${join(options.dataDir, 'nats')}, credentials in ${nats.credentialsDir}`,
      );
    }
    if (!options.databaseUrl) {
      postgres = await startPostgresServer({
        dataDir: join(options.dataDir, 'postgres'),
        port: options.postgresPort,
        database: options.database ?? 'strata',
        ephemeral: options.ephemeral,
      });
      log(`postgres on 127.0.0.1:${postgres.port}, data in ${join(options.dataDir, 'postgres')}`);
    }
  } catch (error) {
    await nats?.process.stop();
    throw error;
  }
  const started = [nats?.process, postgres?.process].filter((p) => p !== undefined);
  const natsUrl = options.natsUrl ?? nats?.url;
  const databaseUrl = options.databaseUrl ?? postgres?.url;
  if (!natsUrl || !databaseUrl) throw new Error('local stack started without NATS or Postgres');
  return {
    natsUrl,
    natsCredentialsDir: nats?.credentialsDir ?? null,
    natsLogin: (identity) => nats?.login(identity) ?? {},
    databaseUrl,
    postgresAdminUrl: postgres ? postgres.url.replace(/\/[^/]+$/, '/postgres') : null,
    started: started.map((p) => p.name),
    async stop() {
      await Promise.all(started.map((p) => p.stop()));
    },
  };
}
