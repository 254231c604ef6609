import { Inject, Injectable } from '@nestjs/common';
import { type ApiKeyScope, StrataError, TenantId } from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { callerOf, stateOf } from '../http/request-state';
import { AccessPolicy } from './access-policy';
import { AdmissionCache } from './admission.cache';

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
    private readonly admissionCache: AdmissionCache,
  ) {
    this.header = options.config.tenantHeader;
  }

  /**
   * The admitted tenant id, or a `forbidden` / `tenant_unknown` / `tenant_suspended` error; a null
   * scope admits any key of the tenant (a per-model permission then decides).
   */
  async admit(request: FastifyRequest, scope: ApiKeyScope | null): Promise<string> {
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

  /**
   * Throws `tenant_unknown` or `tenant_suspended` unless the tenant exists and is active; an
   * active status comes from the admission cache, which a suspension invalidates.
   */
  async requireActive(tenantId: string, requestId: string): Promise<void> {
    const status = await this.admissionCache.tenantStatus(tenantId, requestId);
    switch (status) {
      case 'active':
        return;
      case 'suspended':
        throw new StrataError('tenant_suspended', `tenant ${tenantId} is suspended`);
      case 'deleted':
        throw new StrataError('tenant_unknown', `no tenant ${tenantId}`);
    }
  }
}
