import { Inject, Injectable } from '@nestjs/common';
import { type ApiKeyScope, StrataError, TenantId } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { callerOf, stateOf } from '../http/request-state';
import { AccessPolicy } from './access-policy';

/**
 * Decides which tenant a data request (ingest, query, limits) acts for: the one its key is bound
 * to, or, for the platform admin, the one the tenant header names. The tenant must exist and be
 * active; a key naming another tenant in the header is refused.
 */
@Injectable()
export class TenantAdmission {
  private readonly header: string;

  constructor(
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
    private readonly controlPlane: ControlPlaneClient,
  ) {
    this.header = options.config.tenantHeader;
  }

  /** The admitted tenant id, or a `forbidden` / `tenant_unknown` / `tenant_suspended` error. */
  async admit(request: FastifyRequest, scope: ApiKeyScope): Promise<string> {
    const caller = callerOf(request);
    const raw = request.headers[this.header];
    const named = Array.isArray(raw) ? raw[0] : raw;
    let tenantId: string;
    if (caller.principal.kind === 'api-key') {
      tenantId = caller.principal.tenantId;
      if (named !== undefined && named !== tenantId) {
        throw new StrataError('forbidden', `this key belongs to tenant ${tenantId}, not ${named}`);
      }
      // The key's tenant status was checked when the key was authenticated, moments ago.
    } else {
      if (named === undefined || named === '') {
        throw new StrataError('bad_request', `the ${this.header} header must name the tenant`);
      }
      if (!TenantId.safeParse(named).success)
        throw new StrataError('tenant_unknown', `no tenant ${JSON.stringify(named)}`);
      tenantId = named;
      await this.requireActive(tenantId, caller.requestId);
    }
    AccessPolicy.requireTenant(caller.principal, tenantId, scope);
    stateOf(request).tenant = tenantId;
    return tenantId;
  }

  /** Throws `tenant_unknown` or `tenant_suspended` unless the tenant exists and is active. */
  async requireActive(tenantId: string, requestId: string): Promise<void> {
    const tenant = await this.controlPlane
      .query({ type: 'GetTenant', tenantId }, requestId)
      .catch((error: unknown) => {
        if (error instanceof StrataError && error.code === 'not_found')
          throw new StrataError('tenant_unknown', `no tenant ${tenantId}`);
        throw error;
      });
    switch (tenant.status) {
      case 'active':
        return;
      case 'suspended':
        throw new StrataError('tenant_suspended', `tenant ${tenantId} is suspended`);
      case 'deleted':
        throw new StrataError('tenant_unknown', `no tenant ${tenantId}`);
    }
  }
}
