import { type ApiKeyEvent } from '@strata/contracts';
import { apiKeyDecider, type ApiKeyCommand } from './api-key.decider';
import { generateApiKey, hashSecret, keyIdOfSecret, verifySecret } from './api-key-secret';
import { deciderSpec } from '../../testing/given-when-then';

const spec = deciderSpec(apiKeyDecider);
const keyId = 'key_0123456789abcdef0123';
const issue: ApiKeyCommand = {
  type: 'IssueApiKey',
  tenantId: 'acme',
  name: 'ci',
  scopes: ['read', 'read', 'write'],
  keyId,
  secretHash: 'scrypt$h',
  now: '2026-01-01T00:00:00Z',
  tenant: { status: 'active', displayName: 'Acme' },
};
const issued: ApiKeyEvent = {
  type: 'ApiKeyIssued',
  data: {
    keyId,
    tenantId: 'acme',
    name: 'ci',
    scopes: ['read', 'write'],
    secretHash: 'scrypt$h',
    expiresAt: null,
  },
};

describe('API key decider', () => {
  it('issues a key with deduplicated scopes', () => spec([]).when(issue).then([issued]));
  it('normalizes the expiry and refuses one in the past', () => {
    spec([])
      .when({ ...issue, expiresAt: '2026-02-01T01:00:00+01:00' })
      .then([
        { ...issued, data: { ...issued.data, expiresAt: '2026-02-01T00:00:00.000Z' } },
      ] as ApiKeyEvent[]);
    spec([])
      .when({ ...issue, expiresAt: '2025-01-01T00:00:00Z' })
      .thenThrows('validation_failed');
  });
  it('refuses keys for unknown, deleted or suspended tenants', () => {
    spec([])
      .when({ ...issue, tenant: { status: 'none', displayName: '' } })
      .thenThrows('not_found');
    spec([])
      .when({ ...issue, tenant: { status: 'deleted', displayName: '' } })
      .thenThrows('not_found');
    spec([])
      .when({ ...issue, tenant: { status: 'suspended', displayName: '' } })
      .thenThrows('tenant_suspended');
  });
  it('revokes once', () => {
    spec([issued])
      .when({ type: 'RevokeApiKey', keyId })
      .then([{ type: 'ApiKeyRevoked', data: { keyId, tenantId: 'acme' } }]);
    spec([issued, { type: 'ApiKeyRevoked', data: { keyId, tenantId: 'acme' } }])
      .when({ type: 'RevokeApiKey', keyId })
      .then([]);
    spec([]).when({ type: 'RevokeApiKey', keyId }).thenThrows('not_found');
  });
});

describe('API key secrets', () => {
  it('embed the key id and verify only against their own salted hash', async () => {
    const { keyId: id, secret } = generateApiKey();
    expect(secret).toMatch(/^strata_[0-9a-f]{20}_/);
    expect(keyIdOfSecret(secret)).toBe(id);
    expect(keyIdOfSecret('strata_nope')).toBeNull();
    const hash = await hashSecret(secret);
    expect(hash).not.toContain(secret);
    expect(await hashSecret(secret)).not.toBe(hash);
    expect(await verifySecret(secret, hash)).toBe(true);
    expect(await verifySecret(generateApiKey().secret, hash)).toBe(false);
  });
});
