import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  connectBus,
  BusAuthenticationError,
  PermissionDeniedError,
  type NatsBus,
} from '@strata/bus';
import {
  type ControlCommandRequest,
  MODEL_BLOB_UPLOAD_TYPE,
  MODEL_CONFIG_MEDIA_TYPE,
  MODEL_MANIFEST_MEDIA_TYPE,
  QuerySubjects,
  SERVICE_NAMES,
  Streams,
  Subjects,
  natsInboxPrefix,
  type ServiceName,
} from '@strata/contracts';
import { NATS_DEV_ADMIN, freePort, type RunningNatsServer } from '@strata/devstack';
import { SERVICE_REGISTRY } from '@strata/platform';
import { encodeWriteRequestV1 } from '@strata/remote-write/testing';
import { type RunningServices } from '@strata/service-kit';
import { labelsFrom } from '@strata/tsdb';
import { freshDatabase, type FreshDatabase } from '@strata/testing';
import {
  batchAt,
  removeTestDirs,
  startInProcess,
  startTestNats,
  strataEnv,
} from '@strata/platform/testing';

jest.setTimeout(120_000);

const ADMIN_TOKEN = 'nats-auth-spec-admin-token-0123456789';
const quiet = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * NATS authorization over a real nats-server started by libs/devstack with the generated config:
 * every service runs with its own identity (one connection each, as separate deployments would),
 * the platform works end to end through them, and an identity that steps outside its subjects is
 * refused by the server.
 */
describe('NATS identities and permissions', () => {
  let nats: RunningNatsServer;
  let dir: string;
  let db: FreshDatabase;
  let httpPort: number;
  let writeKey: string;
  let readKey: string;
  const running: RunningServices[] = [];
  const clients: NatsBus[] = [];
  const api = (path: string) => `http://127.0.0.1:${httpPort}${path}`;
  const as = async (identity: string): Promise<NatsBus> => {
    const bus = await connectBus({
      url: nats.url,
      name: `auth-spec-${identity}`,
      logger: quiet,
      ...nats.login(identity),
    });
    clients.push(bus);
    return bus;
  };
  const admin = (method: string, path: string, body?: unknown) =>
    fetch(api(`/api/v1/admin${path}`), {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const violations = () =>
    readFileSync(nats.process.logFile, 'utf8')
      .split('\n')
      .filter((line) => /Violation/.test(line));

  beforeAll(async () => {
    ({ server: nats, dir } = await startTestNats());
    db = await freshDatabase('nats_auth');
    httpPort = await freePort();
    const env = strataEnv(nats, join(dir, 'data'), {
      DATABASE_URL: db.url,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: String(httpPort),
      STRATA_ADMIN_TOKEN: ADMIN_TOKEN,
      STRATA_INGEST_PARTITIONS: '2',
      // Unreferenced model blobs are collected at once, so a deletion shows the service's work.
      STRATA_MODEL_GC_GRACE_SECONDS: '0',
      // The webhook receiver below listens on loopback, which webhooks may reach only when allowed.
      STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES: 'true',
    });
    // One process per service would be the deployment; one connection per service is what matters here.
    for (const name of SERVICE_NAMES)
      running.push(await startInProcess(env, [SERVICE_REGISTRY[name]!]));
  });

  afterAll(async () => {
    for (const c of clients) await c.drain();
    for (const r of running.reverse()) await r.stop();
    await nats?.process.stop();
    removeTestDirs();
    await db?.drop();
  });

  it('runs every service under its own identity, and the platform works end to end through them', async () => {
    const info = await as('gateway');
    for (const service of SERVICE_NAMES) {
      await expect(info.request(Subjects.serviceInfo(service), {})).resolves.toMatchObject({
        service,
      });
    }

    expect(
      (await admin('POST', '/tenants', { tenantId: 'acme', displayName: 'Acme' })).status,
    ).toBe(201);
    const issue = async (scopes: string[]) => {
      const res = await admin('POST', '/tenants/acme/api-keys', { name: scopes.join('-'), scopes });
      return ((await res.json()) as { secret: string }).secret;
    };
    [writeKey, readKey] = [await issue(['write']), await issue(['read'])];
    const t = Date.now() - 60_000;
    const write = await fetch(api('/api/v1/write'), {
      method: 'POST',
      body: encodeWriteRequestV1(batchAt('auth_spec_total', 3, t, 7)),
      headers: {
        authorization: `Bearer ${writeKey}`,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
      },
    });
    expect(write.status).toBe(204);
    await eventually(async () => {
      const res = await fetch(
        api(`/api/v1/query?query=sum(auth_spec_total)&time=${(t + 1000) / 1000}`),
        {
          headers: { authorization: `Bearer ${readKey}` },
        },
      );
      const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
      expect(body.data.result.map((r) => r.value[1])).toEqual(['21']);
    });
    // The tenant's use of the heads reaches the gateway through the query service, not the Store API.
    const stats = await fetch(api('/api/v1/user_stats'), {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(stats.status).toBe(200);
    expect(await stats.json()).toMatchObject({
      numSeries: expect.any(Number),
      discardedSamples: {},
    });

    // The audit trail names the actor the gateway authenticated.
    const audit = (await (await admin('GET', '/audit?tenant=acme')).json()) as {
      items: Array<{ type: string; actor: string }>;
    };
    expect(audit.items[0]).toMatchObject({ type: 'TenantCreated', actor: 'platform-admin' });

    // A model version deleted: the gateway commits under the tenant's KV lock and the
    // model-registry service, asked over the bus, collects under the same lock.
    const config = Buffer.from('framework: nats-auth\n');
    const digest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    const models = (method: string, path: string, body?: Buffer | string) =>
      fetch(api(`/models/v1/auth/spec${path}`), {
        method,
        headers: {
          authorization: `Bearer ${writeKey}`,
          'content-type': typeof body === 'string' ? 'application/json' : MODEL_BLOB_UPLOAD_TYPE,
        },
        body,
      });
    expect((await models('PUT', `/blobs/${digest}`, config)).status).toBe(201);
    const manifest = {
      schemaVersion: 1,
      mediaType: MODEL_MANIFEST_MEDIA_TYPE,
      config: {
        name: 'modelx.yaml',
        mediaType: MODEL_CONFIG_MEDIA_TYPE,
        digest,
        size: config.length,
      },
      blobs: [],
    };
    expect((await models('PUT', '/manifests/v1', JSON.stringify(manifest))).status).toBe(201);
    const deleted = await models('DELETE', '/manifests/v1');
    expect(await deleted.json()).toEqual({ deletedBlobs: 1 });

    // A registry webhook: the model-registry service follows the control events and asks the
    // control plane for the tenant's subscriptions under its own identity.
    const hooks: string[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        hooks.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const registryKey = await issue(['read', 'write']);
      const registry = (method: string, path: string, body: unknown) =>
        fetch(api(`/api/v1/registry${path}`), {
          method,
          headers: { authorization: `Bearer ${registryKey}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
      expect(
        (
          await registry('PUT', '/webhooks/ci', {
            url: hookUrl,
            events: ['registered_model.created'],
          })
        ).status,
      ).toBe(200);
      expect((await registry('POST', '/models', { name: 'auth-model' })).status).toBe(201);
      await eventually(async () => {
        expect(hooks.map((h) => JSON.parse(h) as { data: { name: string } })).toEqual([
          expect.objectContaining({
            entity: 'registered_model',
            data: expect.objectContaining({ name: 'auth-model' }),
          }),
        ]);
      });
      // The test delivery and the history go from the gateway to the service, which keeps the
      // history in its KV bucket.
      const tested = await registry('POST', '/webhooks/ci/test', {});
      expect(await tested.json()).toMatchObject({ success: true, response_status: 200 });
      await eventually(async () => {
        const history = await fetch(api('/api/v1/registry/webhooks/ci/deliveries'), {
          headers: { authorization: `Bearer ${registryKey}` },
        });
        const items = ((await history.json()) as { items: Array<{ test: boolean }> }).items;
        expect(items.map((d) => d.test).sort()).toEqual([false, true]);
      });
    } finally {
      receiver.close();
    }
    // Pipeline throughput: the gateway asks every logflow replica, which answers under its own identity.
    expect(
      (
        await admin('PUT', '/tenants/acme/log-pipelines/auth', {
          name: 'auth',
          sinks: { none: { type: 'blackhole', inputs: ['source'] } },
        })
      ).status,
    ).toBe(200);
    await eventually(async () => {
      const res = await fetch(api('/api/v1/logs/pipelines/auth/stats'), {
        headers: { authorization: `Bearer ${readKey}` },
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { replicas: unknown[] }).replicas).toHaveLength(1);
    });
    // Nothing any service did was refused by the server.
    expect(violations()).toEqual([]);
  });

  it("moves payloads above max_payload between services in chunks, through the serving side's inbox", async () => {
    const t = Date.now() - 30_000;
    // Random label values, so the snappy body stays above nats-server's 1 MiB max_payload.
    const batch = batchAt('auth_spec_big', 6_000, t, 1);
    const series = batch.series.map((s, i) => ({
      ...s,
      labels: labelsFrom({
        __name__: 'auth_spec_big',
        instance: `i${i}`,
        pad: randomBytes(96).toString('hex'),
      }),
    }));
    const body = encodeWriteRequestV1({ ...batch, series });
    expect(body.length).toBeGreaterThan(1024 * 1024);
    const write = await fetch(api('/api/v1/write'), {
      method: 'POST',
      body,
      headers: {
        authorization: `Bearer ${writeKey}`,
        'content-type': 'application/x-protobuf',
        'content-encoding': 'snappy',
      },
    });
    expect(write.status).toBe(204);
    await eventually(async () => {
      const res = await fetch(
        api(
          `/api/v1/series?match[]=auth_spec_big&start=${(t - 1000) / 1000}&end=${(t + 1000) / 1000}`,
        ),
        {
          headers: { authorization: `Bearer ${readKey}` },
        },
      );
      expect(
        Number(res.headers.get('content-length') ?? (await res.clone().text()).length),
      ).toBeGreaterThan(1024 * 1024);
      expect(((await res.json()) as { data: unknown[] }).data).toHaveLength(6_000);
    });
    expect(violations()).toEqual([]);
  });

  it('refuses the ingester a control command, whatever actor it claims, and nothing reaches the audit trail', async () => {
    const ingester = await as('ingester');
    const forged: ControlCommandRequest = {
      command: { type: 'CreateTenant', tenantId: 'forged', displayName: 'Forged' },
      context: {
        actor: 'platform-admin',
        actorKind: 'platform-admin',
        sourceAddress: '127.0.0.1',
        requestId: 'forged',
      },
    };
    const refused = await ingester
      .request(Subjects.controlCommand, forged)
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused).toMatchObject({ code: 'forbidden', subject: Subjects.controlCommand });
    expect((await admin('GET', '/tenants/forged')).status).toBe(404);
    expect(
      violations().some((l) => l.includes(`User "ingester", Subject "${Subjects.controlCommand}"`)),
    ).toBe(true);
  });

  it("refuses the ingester another service's request subjects", async () => {
    const ingester = await as('ingester');
    for (const subject of [
      QuerySubjects.instant,
      Subjects.controlQuery,
      Subjects.routerWriteBinary,
    ]) {
      await expect(ingester.request(subject, { tenantId: 'acme' })).rejects.toMatchObject({
        code: 'forbidden',
        subject,
      });
    }
  });

  it.each(['router', 'query', 'control-plane', 'compactor'] as ServiceName[])(
    'refuses %s a control command: only the gateway sends them',
    async (service) => {
      const bus = await as(service);
      await expect(bus.request(Subjects.controlCommand, {})).rejects.toBeInstanceOf(
        PermissionDeniedError,
      );
    },
  );

  it('refuses the gateway the ingest partitions: no subscription, no consumer, no publish', async () => {
    const gateway = await as('gateway');
    await expect(subscriptionRefused(gateway, Subjects.ingestSamplesAll)).resolves.toMatch(
      /Permissions Violation for Subscription/,
    );
    await expect(
      gateway.consume(
        {
          stream: Streams.ingest.name,
          durableName: 'gateway-snoop',
          filterSubjects: [Subjects.ingestSamples(0)],
        },
        () => Promise.resolve(),
      ),
    ).rejects.toThrow(/Permissions Violation for Publish to "\$JS\.API/);
    await expect(
      gateway.publish(Subjects.ingestSamples(0), new Uint8Array([1])),
    ).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining(
        `Permissions Violation for Publish to "${Subjects.ingestSamples(0)}"`,
      ),
    });
  });

  it("refuses an identity the other identities' inboxes and the subjects it does not serve", async () => {
    const router = await as('router');
    await expect(subscriptionRefused(router, `${natsInboxPrefix('gateway')}.>`)).resolves.toMatch(
      /Subscription/,
    );
    await expect(subscriptionRefused(router, Subjects.controlCommand)).resolves.toMatch(
      /Subscription/,
    );
    await expect(subscriptionRefused(router, Subjects.storeQuery('ingester', 0))).resolves.toMatch(
      /Subscription/,
    );
  });

  it('lets the gateway do what it does: commands, queries, writes, health', async () => {
    const gateway = await as('gateway');
    await expect(
      gateway.request(Subjects.controlQuery, {
        query: { type: 'GetTenant', tenantId: 'acme' },
        requestId: 'spec',
      }),
    ).resolves.toMatchObject({ tenantId: 'acme' });
    await expect(
      gateway.request(Subjects.controlCommand, {
        command: { type: 'RenameTenant', tenantId: 'acme', displayName: 'Acme Corp' },
        context: {
          actor: 'platform-admin',
          actorKind: 'platform-admin',
          sourceAddress: '127.0.0.1',
          requestId: 'spec',
        },
      }),
    ).resolves.toMatchObject({ version: 2 });
    await expect(
      gateway.request(QuerySubjects.labelNames, {
        tenantId: 'acme',
        match: [],
        startMs: 0,
        endMs: Date.now(),
      }),
    ).resolves.toBeDefined();
    await expect(gateway.request(Subjects.serviceHealth('router'), {})).resolves.toMatchObject({
      service: 'router',
    });
  });

  it('refuses a connection without credentials or with a wrong password', async () => {
    await expect(
      connectBus({ url: nats.url, name: 'anonymous', logger: quiet }),
    ).rejects.toBeInstanceOf(BusAuthenticationError);
    await expect(
      connectBus({
        url: nats.url,
        name: 'guess',
        logger: quiet,
        user: 'gateway',
        password: 'guess',
      }),
    ).rejects.toMatchObject({
      code: 'unauthorized',
    });
    await expect(
      connectBus({
        url: nats.url,
        name: 'admin-as-gateway',
        logger: quiet,
        user: 'gateway',
        password: nats.login(NATS_DEV_ADMIN).password,
      }),
    ).rejects.toBeInstanceOf(BusAuthenticationError);
  });
});

/** Subscribes and resolves with the server's refusal; rejects if a message arrives or nothing happens within 5 s. */
async function subscriptionRefused(bus: NatsBus, subject: string): Promise<string> {
  const sub = bus.connection.subscribe(subject);
  const timer = setTimeout(() => sub.unsubscribe(), 5_000);
  try {
    for await (const _ of sub) throw new Error(`received a message on ${subject}`);
  } catch (error) {
    return String(error);
  } finally {
    clearTimeout(timer);
  }
  throw new Error(`subscription to ${subject} was not refused`);
}

async function eventually(check: () => Promise<void>, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
