import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { natsInboxPrefix, natsPasswordFile } from '@strata/contracts';

/** The nats-server and Postgres that jest's global setup started (or that the caller provided). */
export interface TestServices {
  natsUrl: string;
  /** Password files of the NATS identities: pass as `NATS_CREDENTIALS_DIR` to the processes a spec starts. */
  natsCredentialsDir: string;
  postgresAdminUrl: string;
}

/** Reads the URLs the global setup exported; fails loudly when a spec runs outside it. */
export function testServices(): TestServices {
  const natsUrl = process.env.STRATA_TEST_NATS_URL;
  const natsCredentialsDir = process.env.STRATA_TEST_NATS_CREDENTIALS_DIR;
  const postgresAdminUrl = process.env.STRATA_TEST_PG_ADMIN_URL;
  if (!natsUrl || !natsCredentialsDir || !postgresAdminUrl) {
    throw new Error(
      'integration specs need the jest global setup (run them through `npm test` or jest at the root)',
    );
  }
  return { natsUrl, natsCredentialsDir, postgresAdminUrl };
}

/**
 * User, password and inbox prefix of one identity on the test nats-server, to spread into
 * `connectBus` options: a service's identity (`gateway`, `router`, ...) for a spec that plays
 * that service, `admin` (every permission) for one that plays several parts or uses subjects of its own.
 */
export function testNatsLogin(
  identity: string,
  credentialsDir = testServices().natsCredentialsDir,
): { user: string; password: string; inboxPrefix: string } {
  return {
    user: identity,
    password: readFileSync(join(credentialsDir, natsPasswordFile(identity)), 'utf8').trim(),
    inboxPrefix: natsInboxPrefix(identity),
  };
}

/** A short random suffix for stream, bucket and database names, so specs never share state. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`;
}

/** A database of its own for one spec file, dropped by `drop()`. */
export interface FreshDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Creates an empty database on the test cluster. */
export async function freshDatabase(prefix = 'spec'): Promise<FreshDatabase> {
  const { postgresAdminUrl } = testServices();
  const name = uniqueName(prefix.toLowerCase().replace(/[^a-z0-9_]/g, '_'));
  const admin = new Client({ connectionString: postgresAdminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return {
    url: postgresAdminUrl.replace(/\/[^/]*$/, `/${name}`),
    name,
    async drop() {
      const c = new Client({ connectionString: postgresAdminUrl });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
