import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type RuleGroupView } from '@strata/contracts';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { versionFromIfMatch } from '../http/validate';
import { RuleGroupsService } from './rule-groups.service';

/**
 * REST for rule groups of the three scopes, the group as JSON in Prometheus' rule file shape:
 * a tenant's namespaces (`RuleGroup`), the tenant as a whole (`ClusterRuleGroup`) and every tenant
 * (`GlobalRuleGroup`, platform admin only). `PUT` creates or replaces; `If-Match` guards both.
 */
@ApiTags('rules')
@Controller('api/v1/admin')
export class RuleGroupsController {
  constructor(private readonly groups: RuleGroupsService) {}

  @Get('tenants/:id/rule-groups')
  async listTenant(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<{ items: RuleGroupView[] }> {
    const namespaced = await this.groups.list(caller, 'namespace', id);
    const cluster = await this.groups.list(caller, 'cluster', id);
    return { items: [...namespaced, ...cluster] };
  }

  @Get('tenants/:id/rule-groups/:namespace/:group')
  get(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('namespace') ns: string,
    @Param('group') name: string,
  ): Promise<RuleGroupView> {
    return this.groups.get(caller, this.groups.target('namespace', id, ns), name);
  }

  @Put('tenants/:id/rule-groups/:namespace/:group')
  async put(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('namespace') ns: string,
    @Param('group') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<RuleGroupView> {
    const target = this.groups.target('namespace', id, ns);
    await this.groups.configure(
      caller,
      target,
      { ...(body as object), name },
      versionFromIfMatch(ifMatch),
    );
    return this.groups.get(caller, target, name);
  }

  @Delete('tenants/:id/rule-groups/:namespace/:group')
  @HttpCode(204)
  async delete(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('namespace') ns: string,
    @Param('group') name: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    await this.groups.delete(
      caller,
      this.groups.target('namespace', id, ns),
      name,
      versionFromIfMatch(ifMatch),
    );
  }

  @Get('tenants/:id/cluster-rule-groups/:group')
  getCluster(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('group') name: string,
  ): Promise<RuleGroupView> {
    return this.groups.get(caller, this.groups.target('cluster', id), name);
  }

  @Put('tenants/:id/cluster-rule-groups/:group')
  async putCluster(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('group') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<RuleGroupView> {
    const target = this.groups.target('cluster', id);
    await this.groups.configure(
      caller,
      target,
      { ...(body as object), name },
      versionFromIfMatch(ifMatch),
    );
    return this.groups.get(caller, target, name);
  }

  @Delete('tenants/:id/cluster-rule-groups/:group')
  @HttpCode(204)
  async deleteCluster(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('group') name: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    await this.groups.delete(
      caller,
      this.groups.target('cluster', id),
      name,
      versionFromIfMatch(ifMatch),
    );
  }

  @Get('global-rule-groups')
  async listGlobal(@CurrentCaller() caller: Caller): Promise<{ items: RuleGroupView[] }> {
    return { items: await this.groups.list(caller, 'global') };
  }

  @Get('global-rule-groups/:group')
  getGlobal(@CurrentCaller() caller: Caller, @Param('group') name: string): Promise<RuleGroupView> {
    return this.groups.get(caller, { scope: 'global' }, name);
  }

  @Put('global-rule-groups/:group')
  async putGlobal(
    @CurrentCaller() caller: Caller,
    @Param('group') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<RuleGroupView> {
    await this.groups.configure(
      caller,
      { scope: 'global' },
      { ...(body as object), name },
      versionFromIfMatch(ifMatch),
    );
    return this.groups.get(caller, { scope: 'global' }, name);
  }

  @Delete('global-rule-groups/:group')
  @HttpCode(204)
  async deleteGlobal(
    @CurrentCaller() caller: Caller,
    @Param('group') name: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    await this.groups.delete(caller, { scope: 'global' }, name, versionFromIfMatch(ifMatch));
  }
}
