// `npm start`: starts nats-server and Postgres (unless NATS_URL / DATABASE_URL are set), makes sure
// a platform admin token and a key sealing stored credentials exist, and runs every service until
// Ctrl-C, in this process (the router in a supervised second one with STRATA_ROUTER_PROCESS=separate).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, isListening, startLocalStack } from '@strata/devstack';
import { GatewayServer } from '@strata/gateway';
import { startPlatform } from '@strata/platform';
import { SecretKeyring } from '@strata/service-kit';

const root = join(__dirname, '../../..');
const dataDir = join(root, '.strata', 'dev');
const log = (line: string) => console.log(`[strata] ${line}`);

/** The admin token survives restarts so scripts and curl sessions keep working. */
function ensureAdminToken(): string {
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `strata_admin_${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  }
  return file;
}

/**
 * The key that seals stored credentials, made once (only this user may read it): losing it makes
 * every sealed credential unreadable, so it is never replaced here.
 */
function ensureSecretKey(): string {
  const file = join(dataDir, 'secret-key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `${SecretKeyring.generateKey()}\n`, { mode: 0o600, flag: 'wx' });
  }
  return file;
}

/** The usual port when it is free, so clients work with their defaults; any free port otherwise. */
async function preferredPort(port: number): Promise<number> {
  return (await isListening(port)) ? freePort() : port;
}

async function main(): Promise<void> {
  const stack = await startLocalStack({
    dataDir,
    natsUrl: process.env.NATS_URL,
    databaseUrl: process.env.DATABASE_URL,
    natsPort: await preferredPort(4222),
    postgresPort: await preferredPort(5432),
    log,
  });
  const tokenFile = ensureAdminToken();
  const secretKeyFile =
    process.env.STRATA_SECRET_KEY || process.env.STRATA_SECRET_KEY_FILE
      ? undefined
      : ensureSecretKey();
  const env = {
    ...process.env,
    NATS_URL: stack.natsUrl,
    // The nats-server started here authenticates every client: the platform reads its generated password.
    ...(stack.natsCredentialsDir
      ? {
          NATS_CREDENTIALS_DIR: stack.natsCredentialsDir,
          NATS_USER: undefined,
          NATS_PASSWORD: undefined,
        }
      : {}),
    DATABASE_URL: stack.databaseUrl,
    STRATA_ADMIN_TOKEN_FILE: process.env.STRATA_ADMIN_TOKEN ? undefined : tokenFile,
    ...(secretKeyFile ? { STRATA_SECRET_KEY_FILE: secretKeyFile } : {}),
    STRATA_DATA_DIR: process.env.STRATA_DATA_DIR ?? join(dataDir, 'data'),
    // Blocks outlive the head's data folder, so the bucket sits beside it: .strata/dev/bucket.
    STRATA_BUCKET_URL: process.env.STRATA_BUCKET_URL ?? join(dataDir, 'bucket'),
    HEALTH_PORT: process.env.HEALTH_PORT ?? String(await preferredPort(8081)),
  };
  let running;
  try {
    running = await startPlatform(process.argv.slice(2), {
      env,
      handleSignals: false,
      entry: join(root, 'apps/strata/src/main.ts'),
    });
  } catch (error) {
    await stack.stop();
    throw error;
  }
  const gateway = running.services.includes('gateway')
    ? running.app.get(GatewayServer).gateway
    : null;
  if (gateway) {
    log(`console ${gateway.url}/  (open it in a browser; sign in with the admin token below)`);
    log(`gateway ${gateway.url}`);
    log(
      `  admin REST ${gateway.url}/api/v1/admin  GraphQL ${gateway.url}/graphql  OpenAPI ${gateway.url}/api/docs`,
    );
    log(`  health ${gateway.url}/healthz ${gateway.url}/readyz`);
  }
  // The platform's own metrics name tenants, so they are on the internal listener, not the gateway's port.
  if (running.healthUrl)
    log(
      `metrics ${running.healthUrl}/metrics  (internal listener, HEALTH_PORT; also /healthz /readyz)`,
    );
  log(`admin token: ${tokenFile} (Authorization: Bearer $(cat ${tokenFile}))`);
  log('Ctrl-C stops the platform and the dependencies it started');
  // The platform drains before the dependencies it drains into go away.
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping`);
    await running.stop();
    await stack.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, (s) => void stop(s));
}

main().catch((error: unknown) => {
  console.error(`[strata] start failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
