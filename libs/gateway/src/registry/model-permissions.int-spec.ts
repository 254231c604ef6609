import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  MODEL_BLOB_UPLOAD_TYPE,
  MODEL_CONFIG_MEDIA_TYPE,
  MODEL_MANIFEST_MEDIA_TYPE,
} from '@strata/contracts';
import { FilesystemBucket } from '@strata/objstore';
import { startModelStack, type ModelStack } from '../../testing';

jest.setTimeout(120_000);

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * MLflow's per-model permissions against the real control plane (Postgres, NATS), gateway and
 * model-registry service: grants restrict and extend a key on one model over REST, MLflow's API,
 * GraphQL and the artifact protocol; keys without one keep their scopes' access.
 */
describe('registered model permissions', () => {
  let dir: string;
  let stack: ModelStack;
  let writer: string;
  let admin: { keyId: string; secret: string };
  let reader: { keyId: string; secret: string };
  let other: { keyId: string; secret: string };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'strata-model-permissions-'));
    stack = await startModelStack({ bucket: new FilesystemBucket(dir) });
    writer = await stack.createTenant('perm');
    admin = await stack.issueKey('perm', ['admin']);
    reader = await stack.issueKey('perm', ['read']);
    other = await stack.issueKey('perm', ['read', 'write']);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = async (auth: string, method: string, path: string, body?: unknown) => {
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
  const status = async (auth: string, method: string, path: string, body?: unknown) =>
    (await call(auth, method, path, body)).status;
  const putBlob = async (auth: string, repo: string, bytes: Buffer) =>
    (
      await fetch(`${stack.url}/models/v1/${repo}/blobs/${digestOf(bytes)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${auth}`, 'content-type': MODEL_BLOB_UPLOAD_TYPE },
        body: bytes,
      })
    ).status;
  const getBlob = async (auth: string, repo: string, bytes: Buffer) =>
    (
      await fetch(`${stack.url}/models/v1/${repo}/blobs/${digestOf(bytes)}`, {
        headers: { authorization: `Bearer ${auth}` },
      })
    ).status;
  const grant = (name: string, keyId: string, permission: string) =>
    call(admin.secret, 'PUT', `/api/v1/registry/models/${name}/permissions/${keyId}`, {
      permission,
    });
  const tag = (auth: string, name: string, value: string) =>
    status(auth, 'PUT', `/api/v1/registry/models/${name}/tags/stage`, { value });

  it('keeps scope access without a grant; a grant restricts or extends one model on REST and the artifact protocol', async () => {
    expect(await status(writer, 'POST', '/api/v1/registry/models', { name: 'churn' })).toBe(201);
    expect(await status(writer, 'POST', '/api/v1/registry/models', { name: 'fraud' })).toBe(201);
    // The version names its artifact repository: the protocol's routes for team/churn follow churn.
    expect(
      await status(writer, 'POST', '/api/v1/registry/models/churn/versions', {
        source: 'models/v1/team/churn@v1',
        artifact: { repo: 'team', name: 'churn', version: 'v1' },
      }),
    ).toBe(201);

    // No grants: a read key reads and changes nothing, a write key changes.
    expect(await status(reader.secret, 'GET', '/api/v1/registry/models/churn')).toBe(200);
    expect(await tag(reader.secret, 'churn', 'a')).toBe(403);
    expect(await putBlob(reader.secret, 'team/churn', Buffer.from('r0'))).toBe(403);
    expect(await tag(other.secret, 'churn', 'b')).toBe(200);

    // Only MANAGE grants: the read key may not grant itself; a permission is one of MLflow's four.
    expect(
      await status(
        reader.secret,
        'PUT',
        `/api/v1/registry/models/churn/permissions/${reader.keyId}`,
        {
          permission: 'EDIT',
        },
      ),
    ).toBe(403);
    expect((await grant('churn', reader.keyId, 'SUPERUSER')).status).toBe(400);
    const granted = await call(
      admin.secret,
      'PUT',
      `/api/v1/registry/models/churn/permissions/${reader.keyId}`,
      { permission: 'EDIT' },
    );
    expect(granted).toEqual({ status: 200, body: { keyId: reader.keyId, permission: 'EDIT' } });

    // EDIT extends the read-only key on churn alone: tags, versions and pushes, not deletion.
    expect(await tag(reader.secret, 'churn', 'c')).toBe(200);
    expect(
      await status(reader.secret, 'POST', '/api/v1/registry/models/churn/versions', {
        source: 'models/v1/team/churn@v2',
        artifact: { repo: 'team', name: 'churn', version: 'v2' },
      }),
    ).toBe(201);
    expect(await putBlob(reader.secret, 'team/churn', Buffer.from('r1'))).toBe(201);
    expect(await status(reader.secret, 'DELETE', '/api/v1/registry/models/churn')).toBe(403);
    expect(await status(reader.secret, 'GET', '/api/v1/registry/models/churn/permissions')).toBe(
      403,
    );
    expect(await tag(reader.secret, 'fraud', 'd')).toBe(403);
    expect(await putBlob(reader.secret, 'team/fraud', Buffer.from('r2'))).toBe(403);

    // READ restricts a write key on churn: no tag, no push (a push is EDIT), reads still work.
    expect((await grant('churn', other.keyId, 'READ')).status).toBe(200);
    const refused = await call(other.secret, 'PUT', '/api/v1/registry/models/churn/tags/stage', {
      value: 'e',
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(`key ${other.keyId} holds READ`);
    expect(await putBlob(other.secret, 'team/churn', Buffer.from('o1'))).toBe(403);
    expect(await getBlob(other.secret, 'team/churn', Buffer.from('r1'))).toBe(200);
    expect(await tag(other.secret, 'fraud', 'f')).toBe(200);
    expect(await putBlob(other.secret, 'team/fraud', Buffer.from('o2'))).toBe(201);

    // NO_PERMISSIONS hides the model: reads, searches and the artifact index.
    expect((await grant('churn', other.keyId, 'NO_PERMISSIONS')).status).toBe(200);
    expect(await status(other.secret, 'GET', '/api/v1/registry/models/churn')).toBe(403);
    expect(await getBlob(other.secret, 'team/churn', Buffer.from('r1'))).toBe(403);
    const search = await call(other.secret, 'GET', '/api/v1/registry/models');
    expect(search.body.items.map((m: { name: string }) => m.name)).toEqual(['fraud']);
    // A model as read never shows who holds what on it.
    expect((await call(writer, 'GET', '/api/v1/registry/models/churn')).body).not.toHaveProperty(
      'permissions',
    );

    // MANAGE holders list the grants; removing one falls back to the scopes' access.
    const listed = await call(writer, 'GET', '/api/v1/registry/models/churn/permissions');
    expect(listed.body.items).toEqual(
      [
        { keyId: reader.keyId, permission: 'EDIT' },
        { keyId: other.keyId, permission: 'NO_PERMISSIONS' },
      ].sort((a, b) => (a.keyId < b.keyId ? -1 : 1)),
    );
    expect(
      await status(
        admin.secret,
        'DELETE',
        `/api/v1/registry/models/churn/permissions/${other.keyId}`,
      ),
    ).toBe(204);
    expect(await tag(other.secret, 'churn', 'g')).toBe(200);
    expect(await putBlob(other.secret, 'team/churn', Buffer.from('o3'))).toBe(201);

    // Every grant is in the audit trail with who made it.
    const audit = await fetch(`${stack.url}/api/v1/admin/audit?tenant=perm`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    const entries = (
      (await audit.json()) as {
        items: Array<{ type: string; data: unknown; actor: string }>;
      }
    ).items.filter((e) => e.type.startsWith('RegisteredModelPermission'));
    expect(entries.map((e) => [e.type, e.actor, e.data])).toEqual([
      [
        'RegisteredModelPermissionSet',
        admin.keyId,
        expect.objectContaining({ name: 'churn', keyId: reader.keyId, permission: 'EDIT' }),
      ],
      [
        'RegisteredModelPermissionSet',
        admin.keyId,
        expect.objectContaining({ keyId: other.keyId, permission: 'READ' }),
      ],
      [
        'RegisteredModelPermissionSet',
        admin.keyId,
        expect.objectContaining({ keyId: other.keyId, permission: 'NO_PERMISSIONS' }),
      ],
      [
        'RegisteredModelPermissionDeleted',
        admin.keyId,
        expect.objectContaining({ keyId: other.keyId }),
      ],
    ]);
  });

  it("speaks MLflow's permissions API and GraphQL, and enforces grants on both", async () => {
    expect(await status(writer, 'POST', '/api/v1/registry/models', { name: 'ranker' })).toBe(201);
    const mlflow = (method: string, path: string, body: unknown, auth = admin.secret) =>
      call(auth, method, `/api/2.0/mlflow/registered-models/${path}`, body);

    const created = await mlflow('POST', 'permissions/create', {
      name: 'ranker',
      username: other.keyId,
      permission: 'READ',
    });
    expect(created).toEqual({
      status: 200,
      body: {
        registered_model_permission: { name: 'ranker', user_id: other.keyId, permission: 'READ' },
      },
    });
    const again = await mlflow('POST', 'permissions/create', {
      name: 'ranker',
      username: other.keyId,
      permission: 'EDIT',
    });
    expect(again.status).toBe(409);
    expect(again.body.error_code).toBe('RESOURCE_ALREADY_EXISTS');
    const denied = await mlflow(
      'PATCH',
      'update',
      { name: 'ranker', description: 'x' },
      other.secret,
    );
    expect(denied.status).toBe(403);
    expect(denied.body.error_code).toBe('PERMISSION_DENIED');

    expect(
      (
        await mlflow('PATCH', 'permissions/update', {
          name: 'ranker',
          username: other.keyId,
          permission: 'EDIT',
        })
      ).status,
    ).toBe(200);
    const got = await call(
      admin.secret,
      'GET',
      `/api/2.0/mlflow/registered-models/permissions/get?name=ranker&username=${other.keyId}`,
    );
    expect(got.body.registered_model_permission.permission).toBe('EDIT');
    expect(
      (await mlflow('PATCH', 'update', { name: 'ranker', description: 'x' }, other.secret)).status,
    ).toBe(200);

    const gql = (query: string, auth: string) => call(auth, 'POST', '/graphql', { query });
    const set = await gql(
      `mutation { setModelPermission(tenantId: "perm", name: "ranker", keyId: "${reader.keyId}", permission: "NO_PERMISSIONS") { keyId permission } }`,
      writer,
    );
    expect(set.body.data.setModelPermission).toEqual(
      expect.arrayContaining([
        { keyId: reader.keyId, permission: 'NO_PERMISSIONS' },
        { keyId: other.keyId, permission: 'EDIT' },
      ]),
    );
    const hidden = await gql(
      `{ registeredModel(tenantId: "perm", name: "ranker") { name } }`,
      reader.secret,
    );
    expect(hidden.body.errors[0].message).toContain('holds NO_PERMISSIONS');
    const notManager = await gql(
      `{ modelPermissions(tenantId: "perm", name: "ranker") { keyId } }`,
      other.secret,
    );
    expect(notManager.body.errors[0].message).toContain('needs MANAGE');

    expect(
      (await mlflow('DELETE', 'permissions/delete', { name: 'ranker', username: reader.keyId }))
        .status,
    ).toBe(200);
    const back = await gql(
      `{ registeredModel(tenantId: "perm", name: "ranker") { name } }`,
      reader.secret,
    );
    expect(back.body.data.registeredModel.name).toBe('ranker');
  });
  it("reaches another gateway replica by the grant's event, well inside the cache's 30 s lifetime", async () => {
    const replica = await stack.startGatewayReplica();
    expect(await status(writer, 'POST', '/api/v1/registry/models', { name: 'scorer' })).toBe(201);
    expect(
      await status(writer, 'POST', '/api/v1/registry/models/scorer/versions', {
        source: 'models/v1/team/scorer@v1',
        artifact: { repo: 'team', name: 'scorer', version: 'v1' },
      }),
    ).toBe(201);
    const pushOnReplica = async (bytes: Buffer) =>
      (
        await fetch(`${replica}/models/v1/team/scorer/blobs/${digestOf(bytes)}`, {
          method: 'PUT',
          headers: {
            authorization: `Bearer ${other.secret}`,
            'content-type': MODEL_BLOB_UPLOAD_TYPE,
          },
          body: bytes,
        })
      ).status;
    // The replica has read the tenant's grants (none on scorer) and keeps them.
    const config = Buffer.from('description: scorer\n');
    expect(await pushOnReplica(config)).toBe(201);
    const manifest = await fetch(`${replica}/models/v1/team/scorer/manifests/v1`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${other.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        schemaVersion: 1,
        mediaType: MODEL_MANIFEST_MEDIA_TYPE,
        config: {
          name: 'modelx.yaml',
          mediaType: MODEL_CONFIG_MEDIA_TYPE,
          digest: digestOf(config),
          size: config.length,
        },
        blobs: [],
      }),
    });
    expect(manifest.status).toBe(201);
    const listed = async () =>
      (
        (await (
          await fetch(`${replica}/models/v1`, {
            headers: { authorization: `Bearer ${other.secret}` },
          })
        ).json()) as { models: Array<{ name: string }> }
      ).models.map((m) => m.name);
    expect(await listed()).toContain('scorer');

    expect((await grant('scorer', other.keyId, 'NO_PERMISSIONS')).status).toBe(200);
    const started = Date.now();
    let refusedAfterMs = -1;
    for (let i = 0; Date.now() - started < 10_000; i++) {
      if ((await pushOnReplica(Buffer.from(`after-${i}`))) === 403) {
        refusedAfterMs = Date.now() - started;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(refusedAfterMs).toBeGreaterThanOrEqual(0);
    // The artifact listing leaves out what the key may not read.
    expect(await listed()).not.toContain('scorer');
  });
});
