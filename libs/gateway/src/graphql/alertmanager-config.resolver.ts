import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { type AlertmanagerConfigView } from '@strata/contracts';
import { AlertmanagerConfigsService } from '../alertmanager/alertmanager-configs.service';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { type Maybe } from './graphql-args';

/** Tenants' Alertmanager configurations over GraphQL: the same service, checks and masking as REST. */
@Resolver()
export class AlertmanagerConfigResolver {
  constructor(private readonly configs: AlertmanagerConfigsService) {}

  @Query()
  alertmanagerConfig(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
  ): Promise<AlertmanagerConfigView> {
    return this.configs.get(c, tenantId);
  }

  @Mutation()
  async configureAlertmanager(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('alertmanagerConfig') alertmanagerConfig: string,
    @Args('templateFiles') templateFiles: Maybe<unknown>,
    @Args('notificationManager') notificationManager: Maybe<string>,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<AlertmanagerConfigView> {
    await this.configs.configure(
      c,
      tenantId,
      {
        alertmanagerConfig,
        templateFiles: templateFiles ?? {},
        ...(notificationManager ? { notificationManager } : {}),
      },
      expectedVersion ?? undefined,
    );
    return this.configs.get(c, tenantId);
  }

  @Mutation()
  async deleteAlertmanagerConfig(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<boolean> {
    await this.configs.delete(c, tenantId, expectedVersion ?? undefined);
    return true;
  }
}
