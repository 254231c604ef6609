import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemBucket } from '@strata/objstore';
import { startModelStack, type ModelStack } from '../../testing';

jest.setTimeout(60_000);

/** The registry over REST, MLflow's API and GraphQL against the real control plane (Postgres, NATS). */
describe('model registry', () => {
  let dir: string;
  let stack: ModelStack;
  let key: string;
  let otherKey: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-registry-'));
    stack = await startModelStack({ bucket: new FilesystemBucket(dir) });
    key = await stack.createTenant('ml');
    otherKey = await stack.createTenant('other');
  });
  afterAll(async () => {
    await stack?.close();
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

  it('numbers versions, keeps their lineage, moves an alias atomically and audits the move', async () => {
    const created = await call('POST', '/api/v1/registry/models', {
      name: 'fraud-detector',
      description: 'scores card payments',
      tags: { team: 'risk', framework: 'xgboost' },
    });
    expect(created.status).toBe(201);
    for (const run of ['run-1', 'run-2']) {
      const version = await call('POST', '/api/v1/registry/models/fraud-detector/versions', {
        source: `models:/ml/fraud@${run}`,
        artifact: { repo: 'ml', name: 'fraud', version: run },
        runId: run,
        runLink: `https://mlflow.example/runs/${run}`,
        serving: [{ namespace: 'risk', deployment: 'fraud-api' }],
      });
      expect(version.status).toBe(201);
    }
    const v2 = await call('GET', '/api/v1/registry/models/fraud-detector/versions/2');
    expect(v2.body).toMatchObject({ version: 2, runId: 'run-2', status: 'READY' });
    expect(v2.body.servingQueries[0].promql.cpu).toContain('namespace="risk"');

    expect(
      (await call('PUT', '/api/v1/registry/models/fraud-detector/aliases/champion', { version: 1 }))
        .status,
    ).toBe(200);
    const moved = await call('PUT', '/api/v1/registry/models/fraud-detector/aliases/champion', {
      version: 2,
    });
    expect(moved.body.aliases).toEqual({ champion: 2 });
    expect(moved.body.versions.map((v: { aliases: string[] }) => v.aliases)).toEqual([
      [],
      ['champion'],
    ]);
    expect(
      (await call('GET', '/api/v1/registry/models/fraud-detector/aliases/champion')).body.version,
    ).toBe(2);
    expect(
      (await call('PUT', '/api/v1/registry/models/fraud-detector/aliases/champion', { version: 9 }))
        .status,
    ).toBe(404);

    const audit = await fetch(`${stack.url}/api/v1/admin/audit?tenant=ml`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    const entries = ((await audit.json()) as { items: Array<{ type: string; data: unknown }> })
      .items;
    expect(entries.filter((e) => e.type === 'ModelAliasSet').map((e) => e.data)).toEqual([
      expect.objectContaining({ alias: 'champion', version: 1, previousVersion: null }),
      expect.objectContaining({ alias: 'champion', version: 2, previousVersion: 1 }),
    ]);

    // Another tenant sees none of it.
    expect(
      (await call('GET', '/api/v1/registry/models/fraud-detector', undefined, otherKey)).status,
    ).toBe(404);
  });

  it('finds versions by name and tag over REST, GraphQL and MLflow', async () => {
    const search = await call('GET', '/api/v1/registry/models?name=fraud&tag=team=risk');
    expect(search.body.items.map((m: { name: string }) => m.name)).toEqual(['fraud-detector']);
    expect((await call('GET', '/api/v1/registry/models?tag=team=ops')).body.items).toEqual([]);

    const graphql = await call('POST', '/graphql', {
      query: `{ registeredModels(tenantId: "ml", tagKey: "framework", tagValue: "xgboost") {
        items { name latestVersion version(alias: "champion") { version runId serving { deployment logs } } } } }`,
    });
    expect(graphql.body.data.registeredModels.items).toEqual([
      {
        name: 'fraud-detector',
        latestVersion: 2,
        version: {
          version: 2,
          runId: 'run-2',
          serving: [{ deployment: 'fraud-api', logs: expect.stringContaining('fraud-api') }],
        },
      },
    ]);
    const denied = await call(
      'POST',
      '/graphql',
      { query: '{ registeredModel(tenantId: "ml", name: "fraud-detector") { name } }' },
      otherKey,
    );
    expect(denied.body.errors[0].extensions.code).toBe('forbidden');

    const mlflow = await call(
      'GET',
      "/api/2.0/mlflow/registered-models/search?filter=name%20LIKE%20'%25fraud%25'",
    );
    expect(mlflow.body.registered_models[0]).toMatchObject({
      name: 'fraud-detector',
      latest_versions: [{ version: '2', run_id: 'run-2', aliases: ['champion'] }],
      aliases: [{ alias: 'champion', version: '2' }],
    });
  });

  it('lets an MLflow client create a model and version, alias it and read it back; errors in MLflow shape', async () => {
    const mlflow = '/api/2.0/mlflow';
    expect(
      (
        await call('POST', `${mlflow}/registered-models/create`, {
          name: 'churn',
          tags: [{ key: 'k', value: 'v' }],
        })
      ).body.registered_model,
    ).toMatchObject({ name: 'churn', tags: [{ key: 'k', value: 'v' }] });
    const again = await call('POST', `${mlflow}/registered-models/create`, { name: 'churn' });
    expect(again).toMatchObject({ status: 409, body: { error_code: 'RESOURCE_ALREADY_EXISTS' } });
    const version = await call('POST', `${mlflow}/model-versions/create`, {
      name: 'churn',
      source: 's3://runs/7/model',
      run_id: '7',
    });
    expect(version.body.model_version).toMatchObject({
      name: 'churn',
      version: '1',
      source: 's3://runs/7/model',
      run_id: '7',
      status: 'READY',
    });
    expect(
      (
        await call('POST', `${mlflow}/registered-models/alias`, {
          name: 'churn',
          alias: 'prod',
          version: '1',
        })
      ).status,
    ).toBe(200);
    expect(
      (await call('GET', `${mlflow}/registered-models/alias?name=churn&alias=prod`)).body
        .model_version.version,
    ).toBe('1');
    expect(
      (await call('GET', `${mlflow}/model-versions/get?name=churn&version=1`)).body.model_version
        .aliases,
    ).toEqual(['prod']);
    expect(
      (await call('GET', `${mlflow}/model-versions/search?filter=name%3D'churn'`)).body
        .model_versions,
    ).toHaveLength(1);
    expect(
      (
        await call('PATCH', `${mlflow}/registered-models/update`, {
          name: 'churn',
          description: 'who leaves',
        })
      ).body.registered_model.description,
    ).toBe('who leaves');
    expect(
      (await call('DELETE', `${mlflow}/registered-models/alias`, { name: 'churn', alias: 'prod' }))
        .status,
    ).toBe(200);
    expect(
      (await call('GET', `${mlflow}/registered-models/alias?name=churn&alias=prod`)).body
        .error_code,
    ).toBe('RESOURCE_DOES_NOT_EXIST');
    expect(
      (await call('DELETE', `${mlflow}/registered-models/delete`, { name: 'churn' })).status,
    ).toBe(200);
    const gone = await call('GET', `${mlflow}/registered-models/get?name=churn`);
    expect(gone).toMatchObject({ status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST' } });
  });
});
