import {
  type ModelPermission,
  type ModelTags,
  type ModelVersionSpec,
  type RegisteredModelCommand,
  type RegisteredModelEvent,
  StrataError,
} from '@strata/contracts';
import { type Decider } from './decider';
import { assertTenantLive, type TenantState } from './tenant.decider';

/** A registered model as its stream folds: null before creation and after deletion. */
export interface RegisteredModelState {
  model: {
    description: string;
    tags: ModelTags;
    versions: Array<{ version: number; spec: ModelVersionSpec }>;
    aliases: Record<string, number>;
    /** Key id → granted permission (MLflow's per-model permissions). */
    permissions: Record<string, ModelPermission>;
    /** Versions are never reused, even after the model is deleted and created again. */
  } | null;
  lastVersion: number;
  tenant: TenantState | null;
}

function missing(name: string): StrataError {
  return new StrataError('not_found', `registered model ${JSON.stringify(name)} does not exist`);
}

/**
 * The registered model aggregate, one stream per tenant and name: its versions (numbered 1, 2,
 * ... in the order they are created) and aliases live in the same stream, so a version number
 * is assigned once and an alias moves in one event, never pointing at two versions.
 */
export const registeredModelDecider: Decider<
  RegisteredModelCommand,
  RegisteredModelEvent,
  RegisteredModelState
> = {
  decide(command, state) {
    assertTenantLive(command.tenantId, state.tenant ?? { status: 'none', displayName: '' });
    const { tenantId, name } = command;
    if (command.type === 'CreateRegisteredModel') {
      if (state.model !== null)
        throw new StrataError('already_exists', `registered model ${JSON.stringify(name)} exists`);
      return [
        {
          type: 'RegisteredModelCreated',
          data: { tenantId, name, description: command.description, tags: command.tags },
        },
      ];
    }
    const model = state.model;
    if (model === null) throw missing(name);
    const hasVersion = (v: number) => model.versions.some((x) => x.version === v);
    switch (command.type) {
      case 'UpdateRegisteredModel':
        if (model.description === command.description) return [];
        return [
          {
            type: 'RegisteredModelUpdated',
            data: { tenantId, name, description: command.description },
          },
        ];
      case 'SetRegisteredModelTag':
        if (model.tags[command.key] === command.value) return [];
        return [
          {
            type: 'RegisteredModelTagSet',
            data: { tenantId, name, key: command.key, value: command.value },
          },
        ];
      case 'DeleteRegisteredModel':
        return [{ type: 'RegisteredModelDeleted', data: { tenantId, name } }];
      case 'CreateModelVersion':
        return [
          {
            type: 'ModelVersionCreated',
            data: { tenantId, name, version: state.lastVersion + 1, spec: command.spec },
          },
        ];
      case 'SetModelVersionTag':
        if (!hasVersion(command.version))
          throw new StrataError('not_found', `${name} has no version ${command.version}`);
        return [
          {
            type: 'ModelVersionTagSet',
            data: {
              tenantId,
              name,
              version: command.version,
              key: command.key,
              value: command.value,
            },
          },
        ];
      case 'SetModelAlias': {
        if (!hasVersion(command.version))
          throw new StrataError('not_found', `${name} has no version ${command.version}`);
        const previous = model.aliases[command.alias] ?? null;
        if (previous === command.version) return [];
        return [
          {
            type: 'ModelAliasSet',
            data: {
              tenantId,
              name,
              alias: command.alias,
              version: command.version,
              previousVersion: previous,
            },
          },
        ];
      }
      case 'DeleteModelAlias': {
        const version = model.aliases[command.alias];
        if (version === undefined)
          throw new StrataError('not_found', `${name} has no alias ${command.alias}`);
        return [
          { type: 'ModelAliasDeleted', data: { tenantId, name, alias: command.alias, version } },
        ];
      }
      case 'SetRegisteredModelPermission':
        if (model.permissions[command.keyId] === command.permission) return [];
        return [
          {
            type: 'RegisteredModelPermissionSet',
            data: { tenantId, name, keyId: command.keyId, permission: command.permission },
          },
        ];
      case 'DeleteRegisteredModelPermission':
        if (model.permissions[command.keyId] === undefined)
          throw new StrataError(
            'not_found',
            `${name} has no permission granted to ${command.keyId}`,
          );
        return [
          {
            type: 'RegisteredModelPermissionDeleted',
            data: { tenantId, name, keyId: command.keyId },
          },
        ];
    }
  },
  evolve(state, event) {
    const model = state.model;
    switch (event.type) {
      case 'RegisteredModelCreated':
        return {
          ...state,
          model: {
            description: event.data.description,
            tags: event.data.tags,
            versions: [],
            aliases: {},
            permissions: {},
          },
        };
      case 'RegisteredModelDeleted':
        return { ...state, model: null };
      case 'ModelVersionCreated':
        return {
          ...state,
          lastVersion: event.data.version,
          model: model && {
            ...model,
            versions: [...model.versions, { version: event.data.version, spec: event.data.spec }],
          },
        };
      case 'RegisteredModelUpdated':
        return { ...state, model: model && { ...model, description: event.data.description } };
      case 'RegisteredModelTagSet':
        return {
          ...state,
          model: model && { ...model, tags: { ...model.tags, [event.data.key]: event.data.value } },
        };
      case 'ModelVersionTagSet':
        return state;
      case 'ModelAliasSet':
        return {
          ...state,
          model: model && {
            ...model,
            aliases: { ...model.aliases, [event.data.alias]: event.data.version },
          },
        };
      case 'ModelAliasDeleted': {
        if (!model) return state;
        const { [event.data.alias]: _gone, ...aliases } = model.aliases;
        return { ...state, model: { ...model, aliases } };
      }
      case 'RegisteredModelPermissionSet':
        return {
          ...state,
          model: model && {
            ...model,
            permissions: { ...model.permissions, [event.data.keyId]: event.data.permission },
          },
        };
      case 'RegisteredModelPermissionDeleted': {
        if (!model) return state;
        const { [event.data.keyId]: _gone, ...permissions } = model.permissions;
        return { ...state, model: { ...model, permissions } };
      }
    }
  },
  initialState: () => ({ model: null, lastVersion: 0, tenant: null }),
};
