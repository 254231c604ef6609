import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  type ApiKeyView,
  type AuditEntry,
  type ChainVerification,
  type ControlPlaneSnapshot,
  type Page,
  type QuotaView,
  type TenantView,
} from '@strata/contracts';
import { type IssuedApiKey, ApiKeyAdminService } from '../admin/api-key-admin.service';
import { AuditService } from '../admin/audit.service';
import { TenantAdminService } from '../admin/tenant-admin.service';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';

import { defined, type Maybe } from './graphql-args';

/** The admin API over GraphQL: the same services, authorization and validation as REST. */
@Resolver()
export class AdminResolver {
  constructor(
    private readonly tenants: TenantAdminService,
    private readonly keys: ApiKeyAdminService,
    private readonly audit: AuditService,
  ) {}

  @Query('tenants')
  listTenants(
    @CurrentCaller() c: Caller,
    @Args('first') first: Maybe<number>,
    @Args('after') after: Maybe<string>,
    @Args('includeDeleted') includeDeleted: Maybe<boolean>,
  ): Promise<Page<TenantView>> {
    return this.tenants.list(c, defined({ limit: first, cursor: after, includeDeleted }));
  }

  @Query()
  async tenant(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
  ): Promise<TenantView> {
    return (await this.tenants.get(c, tenantId)).view;
  }

  @Query()
  async quota(@CurrentCaller() c: Caller, @Args('tenantId') tenantId: string): Promise<QuotaView> {
    return (await this.tenants.getQuota(c, tenantId)).view;
  }

  @Query()
  apiKeys(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('first') first: Maybe<number>,
    @Args('after') after: Maybe<string>,
  ): Promise<Page<ApiKeyView>> {
    return this.keys.list(c, tenantId, defined({ limit: first, cursor: after }));
  }

  @Query()
  async apiKey(@CurrentCaller() c: Caller, @Args('keyId') keyId: string): Promise<ApiKeyView> {
    return (await this.keys.get(c, keyId)).view;
  }

  @Query()
  auditEvents(
    @CurrentCaller() c: Caller,
    @Args('filter') filter: Maybe<Record<string, unknown>>,
    @Args('first') first: Maybe<number>,
    @Args('after') after: Maybe<string>,
  ): Promise<Page<AuditEntry>> {
    const { tenantId, ...rest } = filter ?? {};
    return this.audit.list(c, defined({ ...rest, tenant: tenantId, limit: first, cursor: after }));
  }

  @Query()
  replay(
    @CurrentCaller() c: Caller,
    @Args('at') at: Maybe<string>,
    @Args('position') position: Maybe<number>,
  ): Promise<ControlPlaneSnapshot> {
    return this.audit.replay(c, defined({ at, position }));
  }

  @Query()
  verifyAuditChain(@CurrentCaller() c: Caller): Promise<ChainVerification> {
    return this.audit.verify(c);
  }

  @Mutation()
  async createTenant(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('displayName') displayName: string,
  ): Promise<TenantView> {
    return (await this.tenants.create(c, { tenantId, displayName })).view;
  }

  @Mutation()
  async renameTenant(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('displayName') displayName: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<TenantView> {
    return (await this.tenants.rename(c, tenantId, defined({ displayName, expectedVersion }))).view;
  }

  @Mutation()
  async suspendTenant(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('reason') reason: Maybe<string>,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<TenantView> {
    return (
      await this.tenants.lifecycle(
        c,
        'SuspendTenant',
        tenantId,
        defined({ reason, expectedVersion }),
      )
    ).view;
  }

  @Mutation()
  async resumeTenant(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<TenantView> {
    return (await this.tenants.lifecycle(c, 'ResumeTenant', tenantId, defined({ expectedVersion })))
      .view;
  }

  @Mutation()
  async deleteTenant(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<TenantView> {
    return (await this.tenants.lifecycle(c, 'DeleteTenant', tenantId, defined({ expectedVersion })))
      .view;
  }

  @Mutation()
  async setQuota(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('quota') quota: Record<string, unknown>,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<QuotaView> {
    return (
      await this.tenants.setQuota(
        c,
        tenantId,
        defined({ ...defined(quota), expectedVersion }),
        'patch',
      )
    ).view;
  }

  @Mutation()
  async issueApiKey(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('scopes') scopes: string[],
    @Args('expiresAt') expiresAt: Maybe<string>,
  ): Promise<IssuedApiKey> {
    return (await this.keys.issue(c, tenantId, defined({ name, scopes, expiresAt }))).view;
  }

  @Mutation()
  async revokeApiKey(
    @CurrentCaller() c: Caller,
    @Args('keyId') keyId: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<ApiKeyView> {
    return (await this.keys.revoke(c, keyId, defined({ expectedVersion }))).view;
  }
}
