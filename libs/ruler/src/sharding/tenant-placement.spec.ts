import { parseRulerTenants, placeGroup } from './tenant-placement';

describe('placeGroup', () => {
  const keys = Array.from({ length: 200 }, (_, i) => `group-${i}`);
  const members = [
    { replica: 'shared-1', tenants: null },
    { replica: 'shared-2', tenants: null },
    { replica: 'alpha-1', tenants: ['alpha'] },
    { replica: 'alpha-2', tenants: ['alpha', 'gamma'] },
  ];
  const owners = (tenant: string, m = members, reserved = new Set<string>()) =>
    new Set(keys.map((k) => placeGroup(k, tenant, m, reserved)));

  it("gives a dedicated tenant's groups to its replicas only, and the others' to the shared ones", () => {
    expect(owners('alpha')).toEqual(new Set(['alpha-1', 'alpha-2']));
    expect(owners('gamma')).toEqual(new Set(['alpha-2']));
    expect(owners('beta')).toEqual(new Set(['shared-1', 'shared-2']));
  });

  it('leaves a reserved tenant unevaluated while its replicas are gone, then to the shared pool', () => {
    const withoutAlpha = members.filter((m) => !m.replica.startsWith('alpha'));
    expect(owners('alpha', withoutAlpha, new Set(['alpha']))).toEqual(new Set([null]));
    expect(owners('alpha', withoutAlpha)).toEqual(new Set(['shared-1', 'shared-2']));
  });

  it('leaves undedicated tenants unevaluated when every replica is dedicated', () => {
    expect(
      owners(
        'beta',
        members.filter((m) => m.tenants !== null),
      ),
    ).toEqual(new Set([null]));
  });
});

describe('parseRulerTenants', () => {
  it('reads a comma-separated list, and nothing as a shared replica', () => {
    expect(parseRulerTenants(' b, a ,,b')).toEqual(['a', 'b']);
    expect(parseRulerTenants('')).toBeNull();
  });
});
