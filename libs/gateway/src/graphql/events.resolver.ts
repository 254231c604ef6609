import { Inject } from '@nestjs/common';
import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { BusClient } from '@strata/bus';
import {
  type EventRecordKind,
  type EventRuleSetView,
  type EventSearchResult,
  EventsSubjects,
  StrataError,
  TenantId,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { EventRuleSetsService } from '../events/event-rule-sets.service';
import { searchParams } from '../events/events-search.controller';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';
import { defined, type Maybe } from './graphql-args';

/** GraphQL filter fields whose query parameter has another name in the REST API. */
const REST_NAMES: Record<string, string> = {
  text: 'q',
  responseCode: 'response_code',
  exactTotal: 'exact_total',
};

/** Event rule sets and archive search over GraphQL: the same services, checks and errors as REST. */
@Resolver()
export class EventsResolver {
  private readonly client: BusClient;

  constructor(
    private readonly sets: EventRuleSetsService,
    private readonly admission: TenantAdmission,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Query()
  eventRuleSets(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
  ): Promise<EventRuleSetView[]> {
    return this.sets.list(c, tenantId);
  }

  @Query()
  eventRuleSet(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
  ): Promise<EventRuleSetView> {
    return this.sets.get(c, tenantId, name);
  }

  @Mutation()
  async configureEventRuleSet(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('cluster') cluster: Maybe<string>,
    @Args('spec') spec: unknown,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<EventRuleSetView> {
    await this.sets.configure(c, tenantId, name, defined({ cluster, spec, expectedVersion }));
    return this.sets.get(c, tenantId, name);
  }

  @Mutation()
  async deleteEventRuleSet(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<boolean> {
    await this.sets.delete(c, tenantId, name, expectedVersion ?? undefined);
    return true;
  }

  @Query()
  eventSearch(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: Maybe<string>,
    @Args('filter') filter: Maybe<Record<string, unknown>>,
  ): Promise<EventSearchResult> {
    return this.search(c, 'events', tenantId, filter);
  }

  @Query()
  auditSearch(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: Maybe<string>,
    @Args('filter') filter: Maybe<Record<string, unknown>>,
  ): Promise<EventSearchResult> {
    return this.search(c, 'audit', tenantId, filter);
  }

  private async search(
    caller: Caller,
    kind: EventRecordKind,
    tenantId: Maybe<string>,
    filter: Maybe<Record<string, unknown>>,
  ): Promise<EventSearchResult> {
    const tenant = await this.tenantOf(caller, tenantId ?? undefined);
    // The REST query string's names and text values: one parser checks both edges alike.
    const query = Object.fromEntries(
      Object.entries(defined(filter ?? {})).map(([k, v]) => [REST_NAMES[k] ?? k, String(v)]),
    );
    const request = searchParams(tenant, kind, query, Date.now());
    return this.client.ask(EventsSubjects.search, request, { timeoutMs: 30_000 });
  }

  private async tenantOf(caller: Caller, named: string | undefined): Promise<string> {
    const { principal } = caller;
    const tenant = named ?? (principal.kind === 'api-key' ? principal.tenantId : undefined);
    if (tenant === undefined)
      throw new StrataError('bad_request', 'the platform admin must name the tenant (tenantId)');
    if (!TenantId.safeParse(tenant).success)
      throw new StrataError('tenant_unknown', `no tenant ${JSON.stringify(tenant)}`);
    AccessPolicy.requireTenant(principal, tenant, 'read');
    if (principal.kind === 'platform-admin')
      await this.admission.requireActive(tenant, caller.requestId);
    return tenant;
  }
}
