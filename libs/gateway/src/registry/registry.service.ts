import { Injectable } from '@nestjs/common';
import {
  type ApiKeyScope,
  type CommandAccepted,
  type ModelVersionView,
  type RegisteredModelCommand,
  type RegisteredModelView,
  type ServingQueries,
  StrataError,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';

const ATTEMPTS = 40;
const PAUSE_MS = 25;

/** Filters of a registered model search. */
export interface ModelSearch {
  nameContains?: string;
  tagKey?: string;
  tagValue?: string;
  cursor?: string;
  limit?: number;
}

/** The model registry (registered models, versions, aliases) for REST, MLflow's API and GraphQL alike. */
@Injectable()
export class RegistryService {
  constructor(private readonly controlPlane: ControlPlaneClient) {}

  /** A registered model of the tenant. */
  async get(caller: Caller, tenantId: string, name: string): Promise<RegisteredModelView> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    return this.controlPlane.query(
      { type: 'GetRegisteredModel', tenantId, name },
      caller.requestId,
    );
  }

  /** The tenant's registered models matching the filters, in name order. */
  async search(
    caller: Caller,
    tenantId: string,
    search: ModelSearch,
  ): Promise<{ items: RegisteredModelView[]; nextCursor: string | null }> {
    AccessPolicy.requireTenant(caller.principal, tenantId, 'read');
    return this.controlPlane.query(
      { type: 'SearchRegisteredModels', tenantId, ...search, limit: search.limit ?? 100 },
      caller.requestId,
    );
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
   * Runs a registry command for the tenant (write scope) and answers the model as it stands
   * after it, waiting the moment the read model may trail the log.
   */
  async change(
    caller: Caller,
    command: RegisteredModelCommand,
    scope: ApiKeyScope = 'write',
  ): Promise<RegisteredModelView | null> {
    AccessPolicy.requireTenant(caller.principal, command.tenantId, scope);
    const accepted: CommandAccepted = await this.controlPlane.command(
      command,
      commandContextOf(caller),
    );
    if (command.type === 'DeleteRegisteredModel') return null;
    for (let attempt = 1; ; attempt++) {
      try {
        const view = await this.get(caller, command.tenantId, command.name);
        if (view.streamVersion >= accepted.version || attempt >= ATTEMPTS) return view;
      } catch (error) {
        if (!(error instanceof StrataError && error.code === 'not_found') || attempt >= ATTEMPTS)
          throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
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
