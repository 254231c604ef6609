import { createHmac } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBucket } from '@strata/objstore';
import { startModelStack, type ModelStack } from '../../testing';

jest.setTimeout(180_000);

interface Delivery {
  deliveryId: string;
  status: string;
  attempts: number;
  test: boolean;
  at: string;
}

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver answering the statuses queued in `answers` (200 once they run out). */
async function startReceiver(): Promise<{
  port: number;
  received: Received[];
  answers: number[];
  close(): Promise<void>;
}> {
  const received: Received[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const status = answers.shift() ?? 200;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`answered ${status}`);
    });
  });
  // Every interface: the host's own name resolves to one of them.
  await new Promise<void>((resolve) => server.listen(0, '0.0.0.0', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    answers,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function eventually<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} never held: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Registry webhooks' address filter (MLflow refuses private addresses by default), test delivery
 * and delivery history, against the real control plane, gateway and model-registry service.
 */
describe('registry webhook delivery', () => {
  let dir: string;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-webhook-delivery-'));
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const api =
    (stack: ModelStack, key: string) => async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stack.url}/api/v1/registry${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: response.status, body: (text ? JSON.parse(text) : undefined) as any };
    };

  describe('by default', () => {
    let stack: ModelStack;
    let call: ReturnType<typeof api>;

    beforeAll(async () => {
      stack = await startModelStack({ bucket: new FilesystemBucket(join(dir, 'refusing')) });
      call = api(stack, await stack.createTenant('safe'));
    });
    afterAll(() => stack?.close());

    it('refuses private, loopback and link-local URLs when set, and names resolving to them when delivering', async () => {
      for (const url of [
        `http://127.0.0.1:${receiver.port}/hook`,
        `http://[::1]:${receiver.port}/hook`,
        'http://169.254.169.254/latest/meta-data',
        'http://10.1.2.3/hook',
        `http://localhost:${receiver.port}/hook`,
      ]) {
        const refused = await call('PUT', '/webhooks/inside', {
          url,
          events: ['model_version.created'],
        });
        expect([url, refused.status, refused.body.error.fields[0].path]).toEqual([url, 400, 'url']);
      }
      expect((await call('GET', '/webhooks')).body.items).toEqual([]);

      // A name is resolved when the delivery connects; this host's own name is a loopback one.
      const host = hostname();
      const resolved = await lookup(host, { all: true });
      expect(resolved.every((a) => /^(127\.|::1$)/.test(a.address))).toBe(true);
      const url = `http://${host}:${receiver.port}/hook`;
      expect(
        (await call('PUT', '/webhooks/by-name', { url, events: ['model_version.created'] })).status,
      ).toBe(200);
      const tested = await call('POST', '/webhooks/by-name/test', {});
      expect(tested.status).toBe(200);
      expect(tested.body).toMatchObject({ success: false, response_status: null });
      expect(tested.body.error_message).toContain('private');

      // A real event is refused alike, once (a refusal is final), and the history says so.
      expect((await call('POST', '/models', { name: 'm' })).status).toBe(201);
      expect((await call('POST', '/models/m/versions', { source: 's3://m/1' })).status).toBe(201);
      const history = await eventually(
        'the refused delivery in the history',
        async () => (await call('GET', '/webhooks/by-name/deliveries')).body.items,
        (items: Delivery[]) => items.some((d) => !d.test),
      );
      expect(history).toEqual([
        expect.objectContaining({
          event: 'model_version.created',
          status: 'refused',
          attempts: 1,
          test: false,
          responseStatus: null,
          error: expect.stringContaining(`${host} is a private or loopback address`),
        }),
        expect.objectContaining({ status: 'refused', test: true }),
      ]);
      expect(receiver.received).toEqual([]);
    });
  });

  describe('with STRATA_MODEL_WEBHOOKS_ALLOW_PRIVATE_ADDRESSES', () => {
    let stack: ModelStack;
    let call: ReturnType<typeof api>;
    let key: string;

    beforeAll(async () => {
      stack = await startModelStack({
        bucket: new FilesystemBucket(join(dir, 'allowing')),
        allowPrivateWebhookAddresses: true,
        webhooks: { attempts: 3, firstRetryMs: 100, maxRetryMs: 200 },
      });
      key = await stack.createTenant('lab');
      call = api(stack, key);
    });
    afterAll(() => stack?.close());

    it("tests a webhook with a signed sample, answers the receiver's status, and keeps every delivery's outcome", async () => {
      receiver.received.length = 0;
      const url = `http://127.0.0.1:${receiver.port}/hook`;
      expect(
        (
          await call('PUT', '/webhooks/ci', {
            url,
            events: ['model_version.created', 'model_version_alias.created'],
            secret: 's3cr3t',
          })
        ).status,
      ).toBe(200);

      const ok = await call('POST', '/webhooks/ci/test', {});
      expect(ok.body).toEqual({
        success: true,
        response_status: 200,
        response_body: 'answered 200',
        error_message: null,
      });
      const [sample] = receiver.received;
      const body = JSON.parse(sample.body) as { entity: string; action: string; data: object };
      expect([body.entity, body.action]).toEqual(['model_version', 'created']);
      expect(body.data).toMatchObject({ name: 'example_model', version: '1' });
      const signed = createHmac('sha256', 's3cr3t')
        .update(
          `${sample.headers['x-mlflow-delivery-id']}.${sample.headers['x-mlflow-timestamp']}.${sample.body}`,
        )
        .digest('base64');
      expect(sample.headers['x-mlflow-signature']).toBe(`v1,${signed}`);

      receiver.answers.push(500);
      const failed = await call('POST', '/webhooks/ci/test', {
        event: 'model_version_alias.created',
      });
      expect(failed.body).toEqual({
        success: false,
        response_status: 500,
        response_body: 'answered 500',
        error_message: 'HTTP 500',
      });
      expect((await call('POST', '/webhooks/ci/test', { event: 'no.such' })).status).toBe(400);
      expect((await call('POST', '/webhooks/nope/test', {})).status).toBe(404);

      // A real event: two 503s, then taken on the third attempt, under one delivery id.
      receiver.answers.push(503, 503);
      expect((await call('POST', '/models', { name: 'm' })).status).toBe(201);
      expect((await call('POST', '/models/m/versions', { source: 's3://m/1' })).status).toBe(201);
      const history = await eventually(
        'the event in the history',
        async () => (await call('GET', '/webhooks/ci/deliveries')).body.items,
        (items: Delivery[]) => items.some((d) => !d.test),
      );
      const real = receiver.received.slice(2);
      expect(real.map((r) => r.headers['x-mlflow-delivery-id'])).toEqual(
        Array(3).fill(real[0].headers['x-mlflow-delivery-id']),
      );
      expect(history).toEqual([
        {
          deliveryId: real[0].headers['x-mlflow-delivery-id'],
          event: 'model_version.created',
          status: 'delivered',
          attempts: 3,
          responseStatus: 200,
          error: null,
          at: expect.any(String),
          test: false,
        },
        expect.objectContaining({
          event: 'model_version_alias.created',
          status: 'failed',
          attempts: 1,
          responseStatus: 500,
          test: true,
        }),
        expect.objectContaining({
          deliveryId: sample.headers['x-mlflow-delivery-id'],
          status: 'delivered',
          test: true,
        }),
      ]);
      expect(Date.parse(history[0].at)).toBeGreaterThanOrEqual(Date.parse(history[1].at));
      expect((await call('GET', '/webhooks/nope/deliveries')).status).toBe(404);

      // GraphQL answers the same history and tests the same way.
      const graphql = async (query: string) =>
        (
          await fetch(`${stack.url}/graphql`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
            body: JSON.stringify({ query }),
          })
        ).json() as Promise<{ data: Record<string, unknown> }>;
      const viaGraphql = await graphql(
        '{ registryWebhookDeliveries(tenantId: "lab", name: "ci") { deliveryId status attempts test } }',
      );
      expect(viaGraphql.data.registryWebhookDeliveries).toEqual(
        history.map(
          (d: { deliveryId: string; status: string; attempts: number; test: boolean }) => ({
            deliveryId: d.deliveryId,
            status: d.status,
            attempts: d.attempts,
            test: d.test,
          }),
        ),
      );
      const tested = await graphql(
        'mutation { testRegistryWebhook(tenantId: "lab", name: "ci") { success response_status } }',
      );
      expect(tested.data.testRegistryWebhook).toEqual({ success: true, response_status: 200 });
    });
  });
});
