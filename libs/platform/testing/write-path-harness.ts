// Test harness of the write path: a dedicated nats-server, a stand-in control plane, in-process
// and child-process services, and a writer that behaves like Prometheus (retries until 2xx).
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectBus, type NatsBus } from '@strata/bus';
import {
  type ApiKeyPrincipal,
  type ApiKeyScope,
  type ControlQueryRequest,
  DEFAULT_QUOTA,
  type QuotaSpec,
  type RouterWriteRequest,
  type RouterWriteResponse,
  StrataError,
  Subjects,
} from '@strata/contracts';
import {
  NATS_DEV_ADMIN,
  freePort,
  startNatsServer,
  type RunningNatsServer,
} from '@strata/devstack';
import { startGateway, type RunningGateway } from '@strata/gateway';
import { ingesterService } from '@strata/ingester';
import { type WriteBatch } from '@strata/remote-write';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { routerService } from '@strata/router';
import {
  parsePlatformConfig,
  startServices,
  type RunningServices,
  type ServiceDefinition,
} from '@strata/service-kit';
import { createStoreClient, type StoreClient } from '@strata/store-client';
import { labelsFrom } from '@strata/tsdb';

const ROOT = join(__dirname, '../../..');

const tempDirs: string[] = [];

/** Removes the directories `startTestNats` made; specs call it in afterAll once their servers stopped. */
export function removeTestDirs(): void {
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A nats-server of the spec's own, so fixed subjects never meet another spec's. */
export async function startTestNats(): Promise<{ server: RunningNatsServer; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'strata-wp-'));
  tempDirs.push(dir);
  return { server: await startNatsServer({ dataDir: join(dir, 'nats') }), dir };
}

/** Answers GetTenant/GetQuota like the control plane for the tenants given. */
export function fakeControlPlane(
  bus: NatsBus,
  tenants: Map<string, QuotaSpec>,
  keys: TestKeys = new Map(),
) {
  return bus.serve<ControlQueryRequest, unknown>(
    Subjects.controlQuery,
    'control-plane',
    ({ query }) => {
      if (query.type === 'AuthenticateApiKey') {
        const key = keys.get(query.secret);
        if (!key) throw new StrataError('unauthorized', 'unknown API key');
        const keyId = `key_${createHash('sha256').update(query.secret).digest('hex').slice(0, 20)}`;
        const principal: ApiKeyPrincipal = {
          keyId,
          tenantId: key.tenantId,
          scopes: key.scopes,
          tenantStatus: 'active',
        };
        return Promise.resolve(principal);
      }
      // No tenant has rule sets of its own: the events service evaluates the default packs.
      if (query.type === 'ListEventRuleSets')
        return Promise.resolve({ items: [], nextCursor: null });
      if (query.type !== 'GetTenant' && query.type !== 'GetQuota')
        throw new StrataError('bad_request', 'unsupported');
      const quota = tenants.get(query.tenantId);
      if (!quota) throw new StrataError('not_found', `no tenant ${query.tenantId}`);
      const now = new Date().toISOString();
      if (query.type === 'GetQuota')
        return Promise.resolve({ tenantId: query.tenantId, quota, version: 1, updatedAt: now });
      return Promise.resolve({
        tenantId: query.tenantId,
        displayName: query.tenantId,
        status: 'active',
        suspendedReason: null,
        version: 1,
        createdAt: now,
        updatedAt: now,
      });
    },
  );
}

/** A generous quota for load tests. */
export const OPEN_QUOTA: QuotaSpec = {
  ...DEFAULT_QUOTA,
  ingestionRateSamplesPerSecond: 10_000_000,
  ingestionBurstSamples: 10_000_000,
};

/** The key specs seal and open credentials with (`STRATA_SECRET_KEY`), fixed so runs compare. */
export const TEST_SECRET_KEY = createHash('sha256')
  .update('strata test secret key')
  .digest('base64');

/** Environment of a Strata process of the test. */
export function strataEnv(
  nats: Pick<RunningNatsServer, 'url' | 'credentialsDir'>,
  dataDir: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NATS_URL: nats.url,
    NATS_CREDENTIALS_DIR: nats.credentialsDir,
    STRATA_DATA_DIR: dataDir,
    STRATA_INGEST_PARTITIONS: '4',
    STRATA_LEASE_TTL_SECONDS: '2',
    STRATA_SNAPSHOT_INTERVAL_SECONDS: '1',
    LOG_LEVEL: 'warn',
    STRATA_SECRET_KEY: TEST_SECRET_KEY,
    ...extra,
  };
}

/** Runs services in this process. */
export function startInProcess(
  env: Record<string, string>,
  services: ServiceDefinition[] = [routerService, ingesterService],
): Promise<RunningServices> {
  return startServices({
    config: parsePlatformConfig(env),
    services,
    handleSignals: false,
    healthHttp: false,
  });
}

/** Runs `apps/strata --target=<target>` as a child process, as a deployment would. */
export async function spawnStrata(
  target: string,
  env: Record<string, string>,
  logFile: string,
): Promise<ChildProcess> {
  const log = openSync(logFile, 'a');
  return spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/strata/src/main.ts', `--target=${target}`],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        ...env,
        // A caller that reads the process's /metrics chooses the port.
        HEALTH_PORT: env.HEALTH_PORT ?? String(await freePort()),
        SWC_NODE_PROJECT: 'tsconfig.json',
      },
      stdio: ['ignore', log, log],
    },
  );
}

/** Kills a child with SIGKILL and waits for it to be gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/** Stops a child with SIGTERM (orderly shutdown) and waits. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await gone;
}

/** The test's own bus connection: it plays the control plane, the gateway and the query side, so it is the dev admin. */
export function clientBus(nats: Pick<RunningNatsServer, 'url' | 'login'>): Promise<NatsBus> {
  return connectBus({ url: nats.url, name: 'write-path-spec', ...nats.login(NATS_DEV_ADMIN) });
}

/** A Store API client over 4 partitions. */
export function storeClient(bus: NatsBus): StoreClient {
  return createStoreClient(bus, { partitions: 4, timeoutMs: 5_000 });
}

/** Builds a batch of `series` series (label `job`) with one sample each at `t`. */
export function batchAt(
  metric: string,
  series: number,
  t: number,
  value: number,
  job = 'spec',
): WriteBatch {
  return {
    metadata: [],
    series: Array.from({ length: series }, (_, i) => ({
      labels: labelsFrom({ __name__: metric, instance: `i${i}`, job }),
      timestamps: new Float64Array([t]),
      values: new Float64Array([value]),
      exemplars: [],
    })),
  };
}

/** The router request of a batch, as the gateway forwards it. */
export function writeRequest(tenantId: string, batch: WriteBatch): RouterWriteRequest {
  return {
    tenantId,
    contentType: 'application/x-protobuf',
    contentEncoding: 'snappy',
    body: encodeWriteRequestV1(batch).toString('base64'),
    protocolVersion: '0.1.0',
  };
}

/** Sends a write to the router. */
export function sendWrite(
  bus: NatsBus,
  request: RouterWriteRequest,
  timeoutMs = 5_000,
): Promise<RouterWriteResponse> {
  return bus.request<RouterWriteRequest, RouterWriteResponse>(Subjects.routerWrite, request, {
    timeoutMs,
  });
}

/** Sends like Prometheus: 5xx, timeouts and no-responders are retried with the same body until a 2xx; 4xx are thrown. */
export async function sendUntilAcked(
  bus: NatsBus,
  request: RouterWriteRequest,
  deadlineMs = 60_000,
): Promise<{ response: RouterWriteResponse; attempts: number }> {
  const until = Date.now() + deadlineMs;
  for (let attempts = 1; ; attempts++) {
    try {
      return { response: await sendWrite(bus, request, 3_000), attempts };
    } catch (error) {
      const retryable =
        error instanceof StrataError && ['unavailable', 'timeout', 'internal'].includes(error.code);
      if (!retryable || Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Waits until every partition answers the Store API (leases taken, replay done). */
export async function waitForStore(
  client: StoreClient,
  tenantId: string,
  timeoutMs = 60_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await client.labelNames({ tenantId, matchers: [], start: 0, end: Date.now() + 3_600_000 });
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Counts a tenant's samples of `metric` through the Store API. */
export async function countSamples(
  client: StoreClient,
  tenantId: string,
  metric: string,
): Promise<{ series: number; samples: number; distinct: number }> {
  const { value } = await client.select({
    tenantId,
    matchers: [{ type: '=', name: '__name__', value: metric }],
    start: 0,
    end: Date.now() + 3_600_000,
  });
  let samples = 0;
  let distinct = 0;
  for (const s of value) {
    samples += s.timestamps.length;
    distinct += new Set(s.timestamps).size;
  }
  return { series: value.length, samples, distinct };
}

/** API keys the stand-in control plane authenticates: secret → tenant and scopes. */
export type TestKeys = Map<string, { tenantId: string; scopes: ApiKeyScope[] }>;

/** The platform admin token of the test gateway. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** The real gateway (remote write routes included) on a free loopback port, forwarding to the router. */
export async function startTestGateway(
  bus: NatsBus,
  maxBodyBytes = 1024 * 1024,
): Promise<RunningGateway> {
  return startGateway({
    config: {
      adminToken: ADMIN_TOKEN,
      tenantHeader: 'x-scope-orgid',
      maxBodyBytes,
      host: '127.0.0.1',
      port: await freePort(),
      tls: null,
    },
    bus,
  });
}
