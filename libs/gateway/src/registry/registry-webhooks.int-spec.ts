import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBucket } from '@strata/objstore';
import { startModelStack, type ModelStack } from '../../testing';

jest.setTimeout(120_000);

interface Received {
  path: string;
  headers: Record<string, string>;
  body: string;
  status: number;
}

/** A webhook receiver: records every POST; answers 500 to the next `failing` ones. */
class Receiver {
  readonly received: Received[] = [];
  failing = 0;
  private server: Server | null = null;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const status = this.failing > 0 ? 500 : 200;
        if (this.failing > 0) this.failing--;
        this.received.push({
          path: req.url ?? '',
          headers: req.headers as Record<string, string>,
          body: Buffer.concat(chunks).toString('utf8'),
          status,
        });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  async until(what: string, done: () => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (Date.now() > deadline) throw new Error(`the receiver never got ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** What a receiver checks, as MLflow documents it: HMAC-SHA256 of `<id>.<timestamp>.<body>`. */
function signedWith(secret: string, r: Received): boolean {
  const expected = createHmac('sha256', secret)
    .update(`${r.headers['x-mlflow-delivery-id']}.${r.headers['x-mlflow-timestamp']}.${r.body}`)
    .digest('base64');
  return r.headers['x-mlflow-signature'] === `v1,${expected}`;
}

const eventOf = (r: Received) => {
  const body = JSON.parse(r.body) as { entity: string; action: string; data: object };
  return { event: `${body.entity}.${body.action}`, data: body.data };
};

/** Registry webhooks end to end: control plane, gateway and the model-registry service's delivery. */
describe('registry webhooks', () => {
  let dir: string;
  let stack: ModelStack;
  let key: string;
  let otherKey: string;
  const receiver = new Receiver();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-webhooks-'));
    await receiver.start();
    stack = await startModelStack({
      bucket: new FilesystemBucket(dir),
      // Enough attempts that a restart on a loaded machine lands before the delivery is given up.
      webhooks: { attempts: 30, firstRetryMs: 200, maxRetryMs: 500 },
      // The receivers listen on loopback, which webhooks may reach only when allowed.
      allowPrivateWebhookAddresses: true,
    });
    key = await stack.createTenant('ml');
    otherKey = await stack.createTenant('other');
  });
  afterAll(async () => {
    await stack?.close();
    await receiver.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown, auth = key) => {
    const response = await fetch(`${stack.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${auth}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
  };

  it('refuses a bad subscription with the paths at fault and stores nothing', async () => {
    const bad = await call('PUT', '/api/v1/registry/webhooks/ci', {
      url: 'ftp://example.com/hook',
      events: ['model_version.created', 'model_version.deleted_forever'],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields.map((f: { path: string }) => f.path).sort()).toEqual([
      'events.1',
      'url',
    ]);
    expect((await call('GET', '/api/v1/registry/webhooks')).body.items).toEqual([]);
  });

  it("posts signed MLflow events to the tenant's subscription only, and retries a 500", async () => {
    const set = await call('PUT', '/api/v1/registry/webhooks/ci', {
      url: `${receiver.url}/ml`,
      events: ['model_version.created', 'model_version_alias.created'],
      secret: 's3cret',
    });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: 'ci', secret: '<secret>', tenantId: 'ml' });
    const other = await call(
      'PUT',
      '/api/v1/registry/webhooks/ci',
      {
        url: `${receiver.url}/other`,
        events: [
          'registered_model.created',
          'model_version.created',
          'model_version_alias.created',
        ],
        secret: 'other-secret',
      },
      otherKey,
    );
    expect(other.status).toBe(200);

    expect((await call('POST', '/api/v1/registry/models', { name: 'fraud' })).status).toBe(201);
    expect(
      (await call('POST', '/api/v1/registry/models/fraud/versions', { source: 's3://m/1' })).status,
    ).toBe(201);
    expect(
      (await call('PUT', '/api/v1/registry/models/fraud/aliases/champion', { version: 1 })).status,
    ).toBe(200);

    await receiver.until('a version and an alias', () => receiver.at('/ml').length >= 2);
    const ml = receiver.at('/ml');
    expect(ml.every((r) => signedWith('s3cret', r))).toBe(true);
    expect(
      ml.every(
        (r) => Math.abs(Number(r.headers['x-mlflow-timestamp']) * 1000 - Date.now()) < 60_000,
      ),
    ).toBe(true);
    expect(ml.map(eventOf).sort((a, b) => (a.event < b.event ? -1 : 1))).toEqual([
      {
        event: 'model_version.created',
        data: expect.objectContaining({ name: 'fraud', version: '1', source: 's3://m/1' }),
      },
      {
        event: 'model_version_alias.created',
        data: { name: 'fraud', alias: 'champion', version: '1' },
      },
    ]);
    // The registered model's creation is not among the events the subscription named.
    expect(ml).toHaveLength(2);

    // The other tenant's receiver hears its own model, and never the first tenant's.
    expect(
      (await call('POST', '/api/v1/registry/models', { name: 'churn' }, otherKey)).status,
    ).toBe(201);
    await receiver.until("the other tenant's model", () => receiver.at('/other').length >= 1);
    const seen = receiver.at('/other');
    expect(seen.map(eventOf)).toEqual([
      { event: 'registered_model.created', data: expect.objectContaining({ name: 'churn' }) },
    ]);
    expect(signedWith('other-secret', seen[0])).toBe(true);

    // The mask written back keeps the stored secret; two 500s are retried with the same delivery id.
    const again = await call('PUT', '/api/v1/registry/webhooks/ci', {
      url: `${receiver.url}/ml`,
      events: ['model_version.created'],
      secret: '<secret>',
    });
    expect(again.body.events).toEqual(['model_version.created']);
    receiver.failing = 2;
    expect(
      (await call('POST', '/api/v1/registry/models/fraud/versions', { source: 's3://m/2' })).status,
    ).toBe(201);
    await receiver.until('version 2 after two failures', () => receiver.at('/ml').length >= 5);
    const attempts = receiver.at('/ml').slice(2);
    expect(attempts.map((r) => r.status)).toEqual([500, 500, 200]);
    expect(new Set(attempts.map((r) => r.headers['x-mlflow-delivery-id'])).size).toBe(1);
    expect(attempts.every((r) => signedWith('s3cret', r))).toBe(true);
    expect(eventOf(attempts[2]).data).toMatchObject({ name: 'fraud', version: '2' });
  });

  it('delivers an event again when the service restarts while retrying it', async () => {
    const before = receiver.at('/ml').length;
    receiver.failing = 1_000;
    expect(
      (await call('POST', '/api/v1/registry/models/fraud/versions', { source: 's3://m/3' })).status,
    ).toBe(201);
    await receiver.until('a failed attempt', () => receiver.at('/ml').length > before);
    await stack.restartModelRegistry();
    receiver.failing = 0;
    await receiver.until('version 3 after the restart', () =>
      receiver.at('/ml').some((r) => r.status === 200 && r.body.includes('s3://m/3')),
    );
    const attempts = receiver.at('/ml').slice(before);
    expect(attempts[0].status).toBe(500);
    expect(attempts[attempts.length - 1].status).toBe(200);
    expect(new Set(attempts.map((r) => r.headers['x-mlflow-delivery-id'])).size).toBe(1);
    expect(eventOf(attempts[attempts.length - 1]).data).toMatchObject({ version: '3' });
  });

  it('never reads a secret back: REST, GraphQL and the audit trail mask it', async () => {
    const listed = await call('GET', '/api/v1/registry/webhooks');
    expect(listed.body.items).toEqual([
      expect.objectContaining({
        name: 'ci',
        secret: '<secret>',
        events: ['model_version.created'],
      }),
    ]);
    const graphql = await call('POST', '/graphql', {
      query: '{ registryWebhooks(tenantId: "ml") { name url secret events } }',
    });
    expect(graphql.body.data.registryWebhooks).toEqual([
      {
        name: 'ci',
        url: `${receiver.url}/ml`,
        secret: '<secret>',
        events: ['model_version.created'],
      },
    ]);
    const deleted = await call('POST', '/graphql', {
      query: 'mutation { deleteRegistryWebhook(tenantId: "ml", name: "ci") }',
    });
    expect(deleted.body.data.deleteRegistryWebhook).toBe(true);
    const audit = await fetch(`${stack.url}/api/v1/admin/audit?tenant=ml`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    const entries = ((await audit.json()) as { items: Array<{ type: string; data: unknown }> })
      .items;
    const text = JSON.stringify(entries);
    expect(text).not.toContain('s3cret');
    expect(entries.filter((e) => e.type.startsWith('RegistryWebhook')).map((e) => e.type)).toEqual(
      expect.arrayContaining(['RegistryWebhookSet', 'RegistryWebhookDeleted']),
    );
    expect((await call('GET', '/api/v1/registry/webhooks')).body.items).toEqual([]);
  });
});
