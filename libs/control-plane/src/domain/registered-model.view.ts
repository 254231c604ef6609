import { type RegisteredModelEvent, type RegisteredModelView } from '@strata/contracts';

const MODEL_EVENT_TYPES: Record<RegisteredModelEvent['type'], true> = {
  RegisteredModelCreated: true,
  RegisteredModelUpdated: true,
  RegisteredModelTagSet: true,
  RegisteredModelDeleted: true,
  ModelVersionCreated: true,
  ModelVersionTagSet: true,
  ModelAliasSet: true,
  ModelAliasDeleted: true,
  RegisteredModelPermissionSet: true,
  RegisteredModelPermissionDeleted: true,
};

/** An event of the registered model aggregate with where and when it was recorded. */
export type StoredModelEvent = RegisteredModelEvent & { version: number; recordedAt: string };

/** True for the registered model aggregate's events. */
export function isRegisteredModelEvent<E extends { type: string }>(
  e: E,
): e is Extract<E, { type: RegisteredModelEvent['type'] }> {
  return Object.prototype.hasOwnProperty.call(MODEL_EVENT_TYPES, e.type);
}

/** The event types of the aggregate, for the control plane's list of its own events. */
export const REGISTERED_MODEL_EVENT_TYPES = MODEL_EVENT_TYPES;

/** The read-model key of the model an event is about. */
export function registeredModelKeyOf(e: RegisteredModelEvent): string {
  return JSON.stringify([e.data.tenantId, e.data.name]);
}

/** A registered model's view after one of its events; null once deleted. */
export function registeredModelViewAfter(
  view: RegisteredModelView | null,
  e: StoredModelEvent,
): RegisteredModelView | null {
  const at = e.recordedAt;
  const base = view && { ...view, streamVersion: e.version, updatedAt: at };
  switch (e.type) {
    case 'RegisteredModelCreated':
      return {
        tenantId: e.data.tenantId,
        name: e.data.name,
        description: e.data.description,
        tags: e.data.tags,
        aliases: {},
        latestVersion: null,
        versions: [],
        permissions: {},
        streamVersion: e.version,
        createdAt: at,
        updatedAt: at,
      };
    case 'RegisteredModelDeleted':
      return null;
    case 'RegisteredModelUpdated':
      return base && { ...base, description: e.data.description };
    case 'RegisteredModelTagSet':
      return base && { ...base, tags: { ...base.tags, [e.data.key]: e.data.value } };
    case 'ModelVersionCreated':
      return (
        base && {
          ...base,
          latestVersion: e.data.version,
          versions: [
            ...base.versions,
            {
              ...e.data.spec,
              version: e.data.version,
              status: 'READY',
              aliases: [],
              createdAt: at,
              updatedAt: at,
            },
          ],
        }
      );
    case 'ModelVersionTagSet':
      return (
        base && {
          ...base,
          versions: base.versions.map((v) =>
            v.version === e.data.version
              ? { ...v, tags: { ...v.tags, [e.data.key]: e.data.value }, updatedAt: at }
              : v,
          ),
        }
      );
    case 'RegisteredModelPermissionSet':
      return (
        base && {
          ...base,
          permissions: { ...base.permissions, [e.data.keyId]: e.data.permission },
        }
      );
    case 'RegisteredModelPermissionDeleted': {
      if (!base) return null;
      const { [e.data.keyId]: _gone, ...permissions } = base.permissions ?? {};
      return { ...base, permissions };
    }
    case 'ModelAliasSet':
    case 'ModelAliasDeleted': {
      if (!base) return null;
      const aliases = { ...base.aliases };
      if (e.type === 'ModelAliasSet') aliases[e.data.alias] = e.data.version;
      else delete aliases[e.data.alias];
      return {
        ...base,
        aliases,
        versions: base.versions.map((v) => ({
          ...v,
          aliases: Object.keys(aliases)
            .filter((a) => aliases[a] === v.version)
            .sort(),
        })),
      };
    }
  }
}
