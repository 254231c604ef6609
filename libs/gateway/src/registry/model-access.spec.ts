import { type ApiKeyScope, StrataError } from '@strata/contracts';
import { type Principal } from '../auth/principal';
import { allows, requireAllowed } from './model-access.service';

const key = (...scopes: ApiKeyScope[]): Principal => ({
  kind: 'api-key',
  actor: 'key_0123456789abcdef0123',
  keyId: 'key_0123456789abcdef0123',
  tenantId: 'ml',
  scopes,
});

describe('model permissions', () => {
  it("keeps a key's scope access without a grant: read reads, write changes and manages", () => {
    expect(allows(key('read'), [], 'READ')).toBe(true);
    expect(allows(key('read'), [], 'EDIT')).toBe(false);
    expect(allows(key('read', 'write'), [], 'MANAGE')).toBe(true);
    // A write-only key could never read, and still cannot.
    expect(allows(key('write'), [], 'READ')).toBe(false);
    expect(allows(key('write'), [], 'EDIT')).toBe(true);
  });

  it('lets a grant replace the scopes both ways, the weakest of several winning; admins always manage', () => {
    expect(allows(key('read'), ['EDIT'], 'EDIT')).toBe(true);
    expect(allows(key('read'), ['EDIT'], 'MANAGE')).toBe(false);
    expect(allows(key('read', 'write'), ['READ'], 'EDIT')).toBe(false);
    expect(allows(key('read', 'write'), ['NO_PERMISSIONS'], 'READ')).toBe(false);
    expect(allows(key('read', 'write'), ['MANAGE', 'READ'], 'EDIT')).toBe(false);
    expect(allows(key('admin'), ['NO_PERMISSIONS'], 'MANAGE')).toBe(true);
    expect(allows({ kind: 'platform-admin', actor: 'platform-admin' }, [], 'MANAGE')).toBe(true);
  });

  it('refuses with forbidden, naming what the key holds and what the action needs', () => {
    let refused: unknown;
    try {
      requireAllowed(key('read', 'write'), ['READ'], 'EDIT', {
        artifact: { repo: 'team', name: 'churn' },
      });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(StrataError);
    expect(refused).toMatchObject({
      code: 'forbidden',
      message:
        'key key_0123456789abcdef0123 holds READ on artifact repository team/churn; this needs EDIT',
    });
  });
});
