import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import {
  type RegistryWebhookDelivery,
  type RegistryWebhookTestResult,
  type RegistryWebhookView,
} from '@strata/contracts';
import { type Maybe } from '../graphql/graphql-args';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { RegistryWebhooksService } from './registry-webhooks.service';

/** Registry webhooks over GraphQL: the same service, authorization and checks as REST. */
@Resolver('RegistryWebhook')
export class RegistryWebhooksResolver {
  constructor(private readonly webhooks: RegistryWebhooksService) {}

  @Query()
  registryWebhooks(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
  ): Promise<RegistryWebhookView[]> {
    return this.webhooks.list(c, tenantId);
  }

  @Mutation()
  setRegistryWebhook(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('webhook') webhook: unknown,
  ): Promise<RegistryWebhookView> {
    return this.webhooks.set(c, tenantId, name, webhook);
  }

  @Mutation()
  async deleteRegistryWebhook(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
  ): Promise<boolean> {
    await this.webhooks.remove(c, tenantId, name);
    return true;
  }

  @Query()
  registryWebhookDeliveries(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
  ): Promise<RegistryWebhookDelivery[]> {
    return this.webhooks.deliveries(c, tenantId, name);
  }

  @Mutation()
  testRegistryWebhook(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('event') event: Maybe<string>,
  ): Promise<RegistryWebhookTestResult> {
    return this.webhooks.test(c, tenantId, name, event ?? undefined);
  }
}
