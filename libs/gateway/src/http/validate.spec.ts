import { ControlCommand } from '@strata/contracts';
import { bodyObject, expectedVersionOf, validate, versionFromIfMatch } from './validate';

describe('versionFromIfMatch', () => {
  it('accepts strong, weak and bare versions, and * as none', () => {
    expect(versionFromIfMatch('"3"')).toBe(3);
    expect(versionFromIfMatch('W/"3"')).toBe(3);
    expect(versionFromIfMatch('3')).toBe(3);
    expect(versionFromIfMatch('*')).toBeUndefined();
    expect(versionFromIfMatch(undefined)).toBeUndefined();
    expect(() => versionFromIfMatch('"a"')).toThrow(/If-Match/);
    expect(() => versionFromIfMatch('"1", "2"')).toThrow(/If-Match/);
  });

  it('agrees with a body expectedVersion or refuses the contradiction', () => {
    expect(expectedVersionOf('"2"', { expectedVersion: 2 })).toBe(2);
    expect(expectedVersionOf(undefined, { expectedVersion: 4 })).toBe(4);
    expect(() => expectedVersionOf('"2"', { expectedVersion: 3 })).toThrow(/disagree/);
  });
});

describe('validate', () => {
  it('names each unknown key, strips a prefix and renames public paths', () => {
    const run = (input: unknown, options = {}) => {
      try {
        validate(ControlCommand, input, 'request', options);
        return [];
      } catch (error) {
        return (error as { fields: Array<{ path: string }> }).fields.map((f) => f.path);
      }
    };
    expect(run({ type: 'CreateTenant', tenantId: 'a', displayName: 'A', x: 1, y: 2 })).toEqual([
      'x',
      'y',
    ]);
    expect(
      run(
        { type: 'SetQuota', tenantId: 'a', quota: { maxActiveSeries: -1, z: 1 } },
        { stripPrefix: 'quota' },
      ),
    ).toEqual(['maxActiveSeries', 'z']);
    expect(
      run(
        { type: 'CreateTenant', tenantId: 'A!', displayName: 'A' },
        { rename: { tenantId: 'tenant' } },
      ),
    ).toEqual(['tenant']);
  });

  it('refuses bodies that are not objects or that carry what the URL decides', () => {
    expect(bodyObject(undefined)).toEqual({});
    expect(() => bodyObject('text')).toThrow(/JSON object/);
    expect(() => bodyObject(null)).toThrow(/JSON object/);
    expect(() => bodyObject({ tenantId: 'x' }, ['tenantId'])).toThrow(/unknown field tenantId/);
  });
});
