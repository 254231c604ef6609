import { Injectable } from '@nestjs/common';
import {
  maskPipelineSecrets,
  type CommandAccepted,
  type Page,
  PipelineComponentId,
  PipelineSpec,
  type PipelineView,
  TenantId,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { validate } from '../http/validate';

const masked = (view: PipelineView): PipelineView => ({
  ...view,
  pipeline: maskPipelineSecrets(view.pipeline),
});

/**
 * A tenant's log pipelines: reads need `read`, changes `admin`; the control plane compiles each
 * spec. Reads mask sinks' credentials; writing the mask back keeps the stored value.
 */
@Injectable()
export class PipelinesService {
  constructor(private readonly controlPlane: ControlPlaneClient) {}

  /** Every pipeline of a tenant, all pages. */
  async list(caller: Caller, tenantId: string): Promise<PipelineView[]> {
    const tenant = this.authorize(caller, tenantId, 'read');
    const items: PipelineView[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<PipelineView> = await this.controlPlane.query(
        { type: 'ListPipelines', tenantId: tenant, cursor, limit: 1000 },
        caller.requestId,
      );
      items.push(...page.items.map(masked));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return items;
  }

  /** One pipeline. */
  async get(caller: Caller, tenantId: string, name: string): Promise<PipelineView> {
    const tenant = this.authorize(caller, tenantId, 'read');
    return masked(
      await this.controlPlane.query(
        {
          type: 'GetPipeline',
          tenantId: tenant,
          name: validate(PipelineComponentId, name, 'name'),
        },
        caller.requestId,
      ),
    );
  }

  /** Creates or replaces a pipeline (`body.name` is the path's). */
  configure(
    caller: Caller,
    tenantId: string,
    body: unknown,
    expectedVersion?: number,
  ): Promise<CommandAccepted> {
    const tenant = this.authorize(caller, tenantId, 'admin');
    const pipeline = validate(PipelineSpec, body, 'log pipeline');
    return this.controlPlane.command(
      { type: 'ConfigurePipeline', tenantId: tenant, pipeline, expectedVersion },
      commandContextOf(caller),
    );
  }

  /** Deletes a pipeline; logflow stops it and removes its consumer. */
  delete(
    caller: Caller,
    tenantId: string,
    name: string,
    expectedVersion?: number,
  ): Promise<CommandAccepted> {
    const tenant = this.authorize(caller, tenantId, 'admin');
    return this.controlPlane.command(
      {
        type: 'DeletePipeline',
        tenantId: tenant,
        name: validate(PipelineComponentId, name, 'name'),
        expectedVersion,
      },
      commandContextOf(caller),
    );
  }

  private authorize(caller: Caller, tenantId: string, need: 'read' | 'admin'): string {
    const tenant = validate(TenantId, tenantId, 'tenant id');
    AccessPolicy.requireTenant(caller.principal, tenant, need);
    return tenant;
  }
}
