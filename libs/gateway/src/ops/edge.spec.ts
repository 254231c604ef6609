import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlatformEnv } from '@strata/contracts';
import { gatewayConfigFrom } from '../gateway.options';
import { startGateway } from '../start-gateway';
import { fakeBus } from '@strata/bus/testing';
import { GatewayMetrics } from './gateway-metrics';
import { FakeControlPlane } from '../../testing/fake-control-plane';
import { type Harness, seedTenants, startHarness } from '../../testing/gateway-harness';

describe('edge basics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
    await seedTenants(h, 'acme');
  });
  afterAll(() => h.close());

  it('answers /healthz without credentials', async () => {
    const res = await h.call('GET', '/healthz', { auth: null });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'alive' });
  });

  it('reports readiness from the bus and the control plane, with reasons', async () => {
    expect((await h.call('GET', '/readyz', { auth: null })).status).toBe(200);
    h.controlPlane.healthy = false;
    const cpDown = await h.call('GET', '/readyz', { auth: null });
    expect(cpDown.status).toBe(503);
    expect(cpDown.body.checks.controlPlane).toEqual({
      ok: false,
      detail: 'no control plane answered',
    });
    h.controlPlane.healthy = true;
    h.connected.value = false;
    const busDown = await h.call('GET', '/readyz', { auth: null });
    expect(busDown.status).toBe(503);
    expect(busDown.body.checks.bus.ok).toBe(false);
    h.connected.value = true;
  });

  it('counts requests by route template, status and tenant, and latency, in its registry', async () => {
    await h.call('GET', '/api/v1/admin/tenants/acme');
    await h.call('GET', '/api/v1/admin/tenants/acme', { auth: null });
    const text = await h.gateway.app.get(GatewayMetrics).registry.metrics();
    expect(text).toMatch(
      /strata_gateway_http_requests_total\{method="GET",route="\/api\/v1\/admin\/tenants\/:id",status="200",tenant="acme"\} 1/,
    );
    expect(text).toContain('route="/api/v1/admin/tenants/:id",status="401"');
    expect(text).toContain('strata_gateway_http_request_duration_seconds_bucket');
    expect(text).toContain('process_cpu_user_seconds_total');
  });

  it('does not serve the metrics, which name tenants, on its public port: not anonymously, not to a key, not to the admin', async () => {
    const { secret } = await h.issueKey('acme', ['read']);
    for (const auth of [null, `Bearer ${secret}`, undefined]) {
      const res = await h.call('GET', '/metrics', { auth });
      expect(res.status).toBe(404);
      expect(JSON.stringify(res.body)).not.toContain('acme');
    }
  });

  it('serves an OpenAPI 3 document describing every admin route', async () => {
    const res = await h.call('GET', '/api/docs', { auth: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    const routes = Object.entries(res.body.paths as Record<string, object>).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'POST /api/v1/admin/tenants',
        'GET /api/v1/admin/tenants',
        'GET /api/v1/admin/tenants/{id}',
        'PATCH /api/v1/admin/tenants/{id}',
        'POST /api/v1/admin/tenants/{id}/suspend',
        'POST /api/v1/admin/tenants/{id}/resume',
        'DELETE /api/v1/admin/tenants/{id}',
        'GET /api/v1/admin/tenants/{id}/quota',
        'PATCH /api/v1/admin/tenants/{id}/quota',
        'PUT /api/v1/admin/tenants/{id}/quota',
        'POST /api/v1/admin/tenants/{id}/api-keys',
        'GET /api/v1/admin/tenants/{id}/api-keys',
        'POST /api/v1/admin/tenants/{id}/blocks',
        'POST /api/v1/admin/tenants/{id}/delete_series',
        'POST /api/v1/admin/tsdb/delete_series',
        'GET /api/v1/admin/api-keys/{keyId}',
        'DELETE /api/v1/admin/api-keys/{keyId}',
        'GET /api/v1/admin/audit',
        'GET /api/v1/admin/audit/replay',
        'GET /api/v1/admin/audit/verify',
        'GET /api/v1/user_limits',
        'GET /api/v1/user_stats',
        'GET /api/v1/whoami',
        'POST /api/v1/write',
        'POST /api/v1/receive',
        'POST /api/v1/push',
        'POST /alertmanager/api/v2/alerts',
        'GET /alertmanager/api/v2/alerts',
        'GET /alertmanager/api/v2/alerts/groups',
        'GET /alertmanager/api/v2/silences',
        'POST /alertmanager/api/v2/silences',
        'GET /alertmanager/api/v2/silence/{id}',
        'DELETE /alertmanager/api/v2/silence/{id}',
        'GET /alertmanager/api/v2/status',
        'GET /alertmanager/api/v2/receivers',
        'GET /alertmanager/api/v1/alerts',
        'POST /alertmanager/api/v1/alerts',
        'DELETE /alertmanager/api/v1/alerts',
        'GET /api/v1/admin/tenants/{id}/alertmanager/config',
        'PUT /api/v1/admin/tenants/{id}/alertmanager/config',
        'DELETE /api/v1/admin/tenants/{id}/alertmanager/config',
        'POST /alertmanager/api/v1/webhook',
        'GET /api/v1/notifications/history',
        'GET /api/v1/admin/tenants/{id}/rule-groups',
        'GET /api/v1/admin/tenants/{id}/rule-groups/{namespace}/{group}',
        'PUT /api/v1/admin/tenants/{id}/rule-groups/{namespace}/{group}',
        'DELETE /api/v1/admin/tenants/{id}/rule-groups/{namespace}/{group}',
        'GET /api/v1/admin/tenants/{id}/cluster-rule-groups/{group}',
        'GET /api/v1/admin/tenants/{id}/delete_series',
        'PUT /api/v1/admin/tenants/{id}/cluster-rule-groups/{group}',
        'DELETE /api/v1/admin/tenants/{id}/cluster-rule-groups/{group}',
        'GET /api/v1/admin/global-rule-groups',
        'GET /api/v1/admin/global-rule-groups/{group}',
        'PUT /api/v1/admin/global-rule-groups/{group}',
        'DELETE /api/v1/admin/global-rule-groups/{group}',
        'POST /api/v1/audit/webhook/event',
        'POST /audit/webhook/event',
        'POST /api/v1/events',
        'GET /api/v1/events/search',
        'GET /api/v1/audit/search',
        'POST /loki/api/v1/push',
        'POST /v1/logs',
        'GET /api/v1/logs/pipelines/{name}/stats',
        'GET /',
        'POST /_bulk',
        'POST /{index}/_bulk',
        'POST /api/v1/logs',
        'GET /api/v1/admin/tenants/{id}/event-rule-sets',
        'GET /api/v1/admin/tenants/{id}/event-rule-sets/{name}',
        'PUT /api/v1/admin/tenants/{id}/event-rule-sets/{name}',
        'DELETE /api/v1/admin/tenants/{id}/event-rule-sets/{name}',
        'DELETE /api/2.0/mlflow/registered-models/alias',
        'DELETE /api/2.0/mlflow/registered-models/delete',
        'DELETE /api/v1/registry/models/{name}',
        'DELETE /api/v1/registry/models/{name}/aliases/{alias}',
        'DELETE /models/v1/{repo}/{name}/index',
        'DELETE /models/v1/{repo}/{name}/manifests/{version}',
        'GET /api/2.0/mlflow/model-versions/get',
        'GET /api/2.0/mlflow/model-versions/search',
        'GET /api/2.0/mlflow/registered-models/alias',
        'GET /api/2.0/mlflow/registered-models/get',
        'GET /api/2.0/mlflow/registered-models/search',
        'GET /api/v1/registry/models',
        'GET /api/v1/registry/models/{name}',
        'GET /api/v1/registry/models/{name}/aliases/{alias}',
        'GET /api/v1/registry/models/{name}/versions/{version}',
        'GET /models/v1',
        'GET /models/v1/{repo}/{name}/blobs/{digest}',
        'GET /models/v1/{repo}/{name}/blobs/{digest}/locations/{kind}',
        'GET /models/v1/{repo}/{name}/index',
        'GET /models/v1/{repo}/{name}/manifests/{version}',
        'HEAD /models/v1/{repo}/{name}/blobs/{digest}',
        'PATCH /api/2.0/mlflow/registered-models/update',
        'PATCH /api/v1/registry/models/{name}',
        'POST /api/2.0/mlflow/model-versions/create',
        'POST /api/2.0/mlflow/registered-models/alias',
        'POST /api/2.0/mlflow/registered-models/create',
        'POST /api/v1/registry/models',
        'POST /api/v1/registry/models/{name}/versions',
        'PUT /api/v1/registry/models/{name}/aliases/{alias}',
        'PUT /api/v1/registry/models/{name}/tags/{key}',
        'PUT /api/v1/registry/models/{name}/versions/{version}/tags/{key}',
        'GET /api/v1/registry/webhooks',
        'GET /api/v1/registry/webhooks/{name}',
        'PUT /api/v1/registry/webhooks/{name}',
        'DELETE /api/v1/registry/webhooks/{name}',
        'POST /api/v1/registry/webhooks/{name}/test',
        'GET /api/v1/registry/webhooks/{name}/deliveries',
        'GET /api/v1/registry/models/{name}/permissions',
        'PUT /api/v1/registry/models/{name}/permissions/{keyId}',
        'DELETE /api/v1/registry/models/{name}/permissions/{keyId}',
        'POST /api/2.0/mlflow/registered-models/permissions/create',
        'GET /api/2.0/mlflow/registered-models/permissions/get',
        'PATCH /api/2.0/mlflow/registered-models/permissions/update',
        'DELETE /api/2.0/mlflow/registered-models/permissions/delete',
        'PUT /models/v1/{repo}/{name}/blobs/{digest}',
        'PUT /models/v1/{repo}/{name}/manifests/{version}',
        'PUT /models/v1/{repo}/{name}/blobs/{digest}/uploads/{uploadId}/parts/{partNumber}',
        'POST /models/v1/{repo}/{name}/blobs/{digest}/uploads/{uploadId}',
        'GET /api/v1/admin/tenants/{id}/log-pipelines',
        'GET /api/v1/admin/tenants/{id}/log-pipelines/{name}',
        'PUT /api/v1/admin/tenants/{id}/log-pipelines/{name}',
        'DELETE /api/v1/admin/tenants/{id}/log-pipelines/{name}',
      ].sort(),
    );
    const create = res.body.paths['/api/v1/admin/tenants'].post;
    expect(
      create.requestBody.content['application/json'].schema.properties.tenantId.pattern,
    ).toBeDefined();
    expect(
      res.body.paths['/api/v1/admin/tenants/{id}/quota'].patch.requestBody.content[
        'application/json'
      ].schema.properties.maxActiveSeries,
    ).toMatchObject({ type: 'integer', minimum: 0 });
  });

  describe('configuration and TLS', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'strata-gw-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-addext',
          'subjectAltName=IP:127.0.0.1,DNS:localhost',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
      writeFileSync(join(dir, 'admin-token'), 'file-admin-token-0123456789\n');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('refuses to start without an admin token', () => {
      expect(() => gatewayConfigFrom(PlatformEnv.parse({}))).toThrow(/STRATA_ADMIN_TOKEN/);
    });

    it('serves HTTPS with the configured certificate and reads the admin token from a file', async () => {
      const env = PlatformEnv.parse({
        HTTP_PORT: '8080',
        HTTP_HOST: '127.0.0.1',
        STRATA_ADMIN_TOKEN_FILE: join(dir, 'admin-token'),
        TLS_CERT_FILE: join(dir, 'cert.pem'),
        TLS_KEY_FILE: join(dir, 'key.pem'),
      });
      const config = { ...gatewayConfigFrom(env), port: 0 };
      expect(config.adminToken).toBe('file-admin-token-0123456789');
      const gateway = await startGateway({
        config,
        bus: fakeBus(),
        controlPlane: new FakeControlPlane(),
      });
      try {
        expect(gateway.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
        const ca = execFileSync('cat', [join(dir, 'cert.pem')]);
        const { status, body } = await new Promise<{ status: number; body: string }>(
          (resolve, reject) => {
            const req = request(
              `${gateway.url}/api/v1/admin/tenants`,
              { ca, headers: { authorization: `Bearer ${config.adminToken}` } },
              (res) => {
                let body = '';
                res.on('data', (chunk: Buffer) => (body += chunk.toString()));
                res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
              },
            );
            req.on('error', reject);
            req.end();
          },
        );
        expect(status).toBe(200);
        expect(JSON.parse(body)).toEqual({ items: [], nextCursor: null });
      } finally {
        await gateway.close();
      }
    });
  });
});
