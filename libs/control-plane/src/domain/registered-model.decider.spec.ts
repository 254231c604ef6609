import { StrataError, type ModelVersionSpec, type RegisteredModelEvent } from '@strata/contracts';
import {
  registeredModelDecider as decider,
  type RegisteredModelState,
} from './registered-model.decider';

const live: RegisteredModelState['tenant'] = { status: 'active', displayName: 'ML' };
const at = { tenantId: 'ml', name: 'fraud' };
const spec: ModelVersionSpec = { source: 's3://runs/1', description: '', tags: {}, serving: [] };
const created: RegisteredModelEvent = {
  type: 'RegisteredModelCreated',
  data: { ...at, description: '', tags: {} },
};
const version = (n: number): RegisteredModelEvent => ({
  type: 'ModelVersionCreated',
  data: { ...at, version: n, spec },
});

function given(events: RegisteredModelEvent[]): RegisteredModelState {
  return { ...events.reduce(decider.evolve, decider.initialState()), tenant: live };
}

function refusal(run: () => unknown): StrataError {
  try {
    run();
  } catch (e) {
    if (e instanceof StrataError) return e;
    throw e;
  }
  throw new Error('the command was accepted');
}

describe('registered model decider', () => {
  it('numbers versions after the last one, never reusing a number after the model is deleted and created again', () => {
    const state = given([
      created,
      version(1),
      version(2),
      { type: 'RegisteredModelDeleted', data: at },
      created,
    ]);
    expect(decider.decide({ type: 'CreateModelVersion', ...at, spec }, state)).toEqual([
      version(3),
    ]);
  });

  it('moves an alias in one event that names where it pointed, and ignores a move to where it is', () => {
    const state = given([
      created,
      version(1),
      version(2),
      {
        type: 'ModelAliasSet',
        data: { ...at, alias: 'champion', version: 1, previousVersion: null },
      },
    ]);
    expect(
      decider.decide({ type: 'SetModelAlias', ...at, alias: 'champion', version: 2 }, state),
    ).toEqual([
      { type: 'ModelAliasSet', data: { ...at, alias: 'champion', version: 2, previousVersion: 1 } },
    ]);
    expect(
      decider.decide({ type: 'SetModelAlias', ...at, alias: 'champion', version: 1 }, state),
    ).toEqual([]);
  });

  it('refuses an alias to a version that does not exist, a second creation, and commands on a missing model', () => {
    const state = given([created, version(1)]);
    expect(
      refusal(() =>
        decider.decide({ type: 'SetModelAlias', ...at, alias: 'prod', version: 5 }, state),
      ).code,
    ).toBe('not_found');
    expect(
      refusal(() =>
        decider.decide({ type: 'CreateRegisteredModel', ...at, description: '', tags: {} }, state),
      ).code,
    ).toBe('already_exists');
    expect(
      refusal(() => decider.decide({ type: 'DeleteModelAlias', ...at, alias: 'prod' }, state)).code,
    ).toBe('not_found');
    expect(
      refusal(() => decider.decide({ type: 'CreateModelVersion', ...at, spec }, given([]))).code,
    ).toBe('not_found');
  });

  it('refuses commands for a deleted tenant', () => {
    const state = {
      ...given([created]),
      tenant: { status: 'deleted' as const, displayName: 'ML' },
    };
    expect(
      refusal(() => decider.decide({ type: 'CreateModelVersion', ...at, spec }, state)).code,
    ).toBe('not_found');
  });
  it('grants a key one permission per model, ignores a grant it already holds, and drops grants with the model', () => {
    const keyId = 'key_0123456789abcdef0123';
    const grant = (permission: 'READ' | 'EDIT'): RegisteredModelEvent => ({
      type: 'RegisteredModelPermissionSet',
      data: { ...at, keyId, permission },
    });
    const set = { type: 'SetRegisteredModelPermission', ...at, keyId } as const;
    expect(decider.decide({ ...set, permission: 'EDIT' }, given([created]))).toEqual([
      grant('EDIT'),
    ]);
    const granted = given([created, grant('READ'), grant('EDIT')]);
    expect(granted.model?.permissions).toEqual({ [keyId]: 'EDIT' });
    expect(decider.decide({ ...set, permission: 'EDIT' }, granted)).toEqual([]);
    expect(
      decider.decide({ type: 'DeleteRegisteredModelPermission', ...at, keyId }, granted),
    ).toEqual([{ type: 'RegisteredModelPermissionDeleted', data: { ...at, keyId } }]);
    const recreated = given([
      created,
      grant('EDIT'),
      { type: 'RegisteredModelDeleted', data: at },
      created,
    ]);
    expect(recreated.model?.permissions).toEqual({});
    expect(
      refusal(() =>
        decider.decide({ type: 'DeleteRegisteredModelPermission', ...at, keyId }, recreated),
      ).code,
    ).toBe('not_found');
    expect(refusal(() => decider.decide({ ...set, permission: 'READ' }, given([]))).code).toBe(
      'not_found',
    );
  });
});
