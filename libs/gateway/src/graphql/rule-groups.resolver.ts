import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { type RuleGroupTarget, type RuleGroupView } from '@strata/contracts';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { RuleGroupsService } from '../rules/rule-groups.service';

import { type Maybe } from './graphql-args';

type Scope = RuleGroupTarget['scope'];

/** What GraphQL shows of a stored group: its place flattened beside it. */
interface RuleGroupNode {
  scope: Scope;
  tenantId: string | null;
  namespace: string | null;
  name: string;
  group: RuleGroupView['group'];
  version: number;
  createdAt: string;
  updatedAt: string;
}

function node(view: RuleGroupView): RuleGroupNode {
  const { target } = view;
  return {
    scope: target.scope,
    tenantId: 'tenantId' in target ? target.tenantId : null,
    namespace: 'namespace' in target ? target.namespace : null,
    name: view.group.name,
    group: view.group,
    version: view.version,
    createdAt: view.createdAt,
    updatedAt: view.updatedAt,
  };
}

/** Rule groups of the three scopes over GraphQL: the same service, authorization and checks as REST. */
@Resolver()
export class RuleGroupsResolver {
  constructor(private readonly groups: RuleGroupsService) {}

  @Query()
  async ruleGroups(
    @CurrentCaller() c: Caller,
    @Args('scope') scope: Scope,
    @Args('tenantId') tenantId: Maybe<string>,
    @Args('namespace') namespace: Maybe<string>,
  ): Promise<RuleGroupNode[]> {
    const views = await this.groups.list(c, scope, tenantId ?? undefined, namespace ?? undefined);
    return views.map(node);
  }

  @Query()
  async ruleGroup(
    @CurrentCaller() c: Caller,
    @Args('scope') scope: Scope,
    @Args('tenantId') tenantId: Maybe<string>,
    @Args('namespace') namespace: Maybe<string>,
    @Args('name') name: string,
  ): Promise<RuleGroupNode> {
    const target = this.groups.target(scope, tenantId ?? undefined, namespace ?? undefined);
    return node(await this.groups.get(c, target, name));
  }

  @Mutation()
  async configureRuleGroup(
    @CurrentCaller() c: Caller,
    @Args('scope') scope: Scope,
    @Args('tenantId') tenantId: Maybe<string>,
    @Args('namespace') namespace: Maybe<string>,
    @Args('group') group: unknown,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<RuleGroupNode> {
    const target = this.groups.target(scope, tenantId ?? undefined, namespace ?? undefined);
    await this.groups.configure(c, target, group, expectedVersion ?? undefined);
    const name = (group as { name?: unknown }).name;
    return node(await this.groups.get(c, target, String(name)));
  }

  @Mutation()
  async deleteRuleGroup(
    @CurrentCaller() c: Caller,
    @Args('scope') scope: Scope,
    @Args('tenantId') tenantId: Maybe<string>,
    @Args('namespace') namespace: Maybe<string>,
    @Args('name') name: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<boolean> {
    const target = this.groups.target(scope, tenantId ?? undefined, namespace ?? undefined);
    await this.groups.delete(c, target, name, expectedVersion ?? undefined);
    return true;
  }
}
