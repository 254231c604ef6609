import { Injectable } from '@nestjs/common';
import {
  type ApiKeyScope,
  type CommandAccepted,
  type ModelPermission,
  type ModelVersionView,
  type RegisteredModelCommand,
  type RegisteredModelView,
  type ServingQueries,
  StrataError,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { allows, ModelAccess, requireAllowed } from './model-access.service';

const ATTEMPTS = 40;

/** A model as readers see it: who holds what on it is shown to MANAGE holders only. */
function withoutGrants(view: RegisteredModelView): RegisteredModelView {
  const { permissions: _grants, ...rest } = view;
  return rest;
}

function grantOf(caller: Caller, model: RegisteredModelView | null): ModelPermission[] {
  if (caller.principal.kind !== 'api-key') return [];
  const grant = model?.permissions?.[caller.principal.keyId];
  return grant === undefined ? [] : [grant];
}
const PAUSE_MS = 25;

/** Filters of a registered model search. */
export interface ModelSearch {
  nameContains?: string;
  tagKey?: string;
  tagValue?: string;
  cursor?: string;
  limit?: number;
}

/** What each registry command needs on its model (MLflow's EDIT and MANAGE). */
const NEEDED: Record<
  Exclude<RegisteredModelCommand['type'], 'CreateRegisteredModel'>,
  ModelPermission
> = {
  UpdateRegisteredModel: 'EDIT',
  SetRegisteredModelTag: 'EDIT',
  CreateModelVersion: 'EDIT',
  SetModelVersionTag: 'EDIT',
  SetModelAlias: 'EDIT',
  DeleteModelAlias: 'EDIT',
  DeleteRegisteredModel: 'MANAGE',
  SetRegisteredModelPermission: 'MANAGE',
  DeleteRegisteredModelPermission: 'MANAGE',
};

/** The model registry (registered models, versions, aliases) for REST, MLflow's API and GraphQL alike. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly controlPlane: ControlPlaneClient,
    private readonly access: ModelAccess,
  ) {}

  /** A registered model of the tenant, if the caller holds READ on it. */
  async get(caller: Caller, tenantId: string, name: string): Promise<RegisteredModelView> {
    AccessPolicy.requireTenant(caller.principal, tenantId, null);
    const view = await this.fetch(caller, tenantId, name);
    this.requireOn(caller, view, 'READ');
    return withoutGrants(view);
  }

  /** The tenant's registered models matching the filters, in name order. */
  async search(
    caller: Caller,
    tenantId: string,
    search: ModelSearch,
  ): Promise<{ items: RegisteredModelView[]; nextCursor: string | null }> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    const page = await this.controlPlane.query(
      { type: 'SearchRegisteredModels', tenantId, ...search, limit: search.limit ?? 100 },
      caller.requestId,
    );
    // As MLflow's search, models the key may not read are left out (a page may come out shorter).
    return {
      ...page,
      items: page.items.filter((m) => this.holds(caller, m, 'READ')).map(withoutGrants),
    };
  }

  /** One version of a model. */
  async version(
    caller: Caller,
    tenantId: string,
    name: string,
    version: number,
  ): Promise<ModelVersionView> {
    const model = await this.get(caller, tenantId, name);
    const found = model.versions.find((v) => v.version === version);
    if (!found) throw new StrataError('not_found', `${name} has no version ${version}`);
    return found;
  }

  /** The version an alias points at. */
  async byAlias(
    caller: Caller,
    tenantId: string,
    name: string,
    alias: string,
  ): Promise<ModelVersionView> {
    const model = await this.get(caller, tenantId, name);
    const version = model.aliases[alias];
    if (version === undefined) throw new StrataError('not_found', `${name} has no alias ${alias}`);
    return this.version(caller, tenantId, name, version);
  }

  /**
   * Runs a registry command for the tenant and answers the model as it stands after it, waiting
   * the moment the read model may trail the log. Creating a model needs the key's `scope`; every
   * other command needs EDIT or MANAGE on the model (its grant, else the key's default).
   */
  async change(
    caller: Caller,
    command: RegisteredModelCommand,
    scope: ApiKeyScope = 'write',
  ): Promise<RegisteredModelView | null> {
    if (command.type === 'CreateRegisteredModel')
      AccessPolicy.requireTenant(caller.principal, command.tenantId, scope);
    else {
      AccessPolicy.requireTenant(caller.principal, command.tenantId, null);
      const current = await this.fetch(caller, command.tenantId, command.name).catch(
        (error: unknown) => {
          // A missing model has no grants: the key's default decides, then the command's not_found.
          if (error instanceof StrataError && error.code === 'not_found') return null;
          throw error;
        },
      );
      requireAllowed(caller.principal, grantOf(caller, current), NEEDED[command.type], {
        model: command.name,
      });
    }
    const accepted: CommandAccepted = await this.controlPlane.command(
      command,
      commandContextOf(caller),
    );
    this.access.forget(command.tenantId);
    if (command.type === 'DeleteRegisteredModel') return null;
    for (let attempt = 1; ; attempt++) {
      try {
        const view = await this.fetch(caller, command.tenantId, command.name);
        if (view.streamVersion >= accepted.version || attempt >= ATTEMPTS)
          return withoutGrants(view);
      } catch (error) {
        if (!(error instanceof StrataError && error.code === 'not_found') || attempt >= ATTEMPTS)
          throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
  }

  /** Keys' grants on a model, for a caller that MANAGEs it (MLflow's permissions listing). */
  async permissions(
    caller: Caller,
    tenantId: string,
    name: string,
  ): Promise<Array<{ keyId: string; permission: ModelPermission }>> {
    AccessPolicy.requireTenant(caller.principal, tenantId, null);
    const view = await this.fetch(caller, tenantId, name);
    this.requireOn(caller, view, 'MANAGE');
    return Object.entries(view.permissions ?? {})
      .map(([keyId, permission]) => ({ keyId, permission }))
      .sort((a, b) => (a.keyId < b.keyId ? -1 : 1));
  }

  private holds(caller: Caller, model: RegisteredModelView, needed: ModelPermission): boolean {
    return allows(caller.principal, grantOf(caller, model), needed);
  }

  private requireOn(caller: Caller, model: RegisteredModelView, needed: ModelPermission): void {
    requireAllowed(caller.principal, grantOf(caller, model), needed, { model: model.name });
  }

  private fetch(caller: Caller, tenantId: string, name: string): Promise<RegisteredModelView> {
    return this.controlPlane.query(
      { type: 'GetRegisteredModel', tenantId, name },
      caller.requestId,
    );
  }

  /** PromQL and log queries for the workloads serving a version. */
  servingQueries(version: ModelVersionView): ServingQueries[] {
    return version.serving.map(({ namespace, deployment }) => {
      // A Deployment's pods are <deployment>-<replicaset hash>-<pod suffix>.
      const pods = `namespace="${namespace}",pod=~"${deployment}-[a-z0-9]+-[a-z0-9]+"`;
      return {
        namespace,
        deployment,
        promql: {
          cpu: `sum(rate(container_cpu_usage_seconds_total{${pods}}[5m]))`,
          memory: `sum(container_memory_working_set_bytes{${pods}})`,
          restarts: `sum(increase(kube_pod_container_status_restarts_total{${pods}}[1h]))`,
        },
        logs: `{${pods}}`,
      };
    });
  }
}
