import { Injectable } from '@nestjs/common';
import {
  type CommandAccepted,
  type Page,
  RuleGroupSpec,
  type RuleGroupTarget,
  type RuleGroupView,
  RuleNamespace,
  StrataError,
  TenantId,
} from '@strata/contracts';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { validate } from '../http/validate';

/** Rule groups of the three scopes: who may touch which, validation at the edge, one control-plane call each. */
@Injectable()
export class RuleGroupsService {
  constructor(private readonly controlPlane: ControlPlaneClient) {}

  /** The target of a path: a tenant's namespace, the tenant's cluster scope, or the platform's global scope. */
  target(scope: RuleGroupTarget['scope'], tenantId?: string, namespace?: string): RuleGroupTarget {
    if (scope === 'global') return { scope };
    const tenant = validate(TenantId, tenantId, 'tenant id');
    if (scope === 'cluster') return { scope, tenantId: tenant };
    return { scope, tenantId: tenant, namespace: validate(RuleNamespace, namespace, 'namespace') };
  }

  /** Every group of `scope` under a tenant (or the global ones), all pages. */
  async list(
    caller: Caller,
    scope: RuleGroupTarget['scope'],
    tenantId?: string,
    namespace?: string,
  ): Promise<RuleGroupView[]> {
    this.authorize(caller, scope, tenantId, 'read');
    const items: RuleGroupView[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<RuleGroupView> = await this.controlPlane.query(
        { type: 'ListRuleGroups', tenantId, scope, namespace, cursor, limit: 1000 },
        caller.requestId,
      );
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    return items;
  }

  /** One group. */
  async get(caller: Caller, target: RuleGroupTarget, name: string): Promise<RuleGroupView> {
    this.authorize(
      caller,
      target.scope,
      'tenantId' in target ? target.tenantId : undefined,
      'read',
    );
    return this.controlPlane.query({ type: 'GetRuleGroup', target, name }, caller.requestId);
  }

  /** Creates or replaces a group; its content is checked as `promtool check rules` does, by the control plane. */
  async configure(
    caller: Caller,
    target: RuleGroupTarget,
    body: unknown,
    expectedVersion?: number,
  ): Promise<CommandAccepted> {
    this.authorize(
      caller,
      target.scope,
      'tenantId' in target ? target.tenantId : undefined,
      'admin',
    );
    const group = validate(RuleGroupSpec, body, 'rule group');
    return this.controlPlane.command(
      { type: 'ConfigureRuleGroup', target, group, expectedVersion },
      commandContextOf(caller),
    );
  }

  /** Deletes a group. */
  async delete(
    caller: Caller,
    target: RuleGroupTarget,
    name: string,
    expectedVersion?: number,
  ): Promise<CommandAccepted> {
    this.authorize(
      caller,
      target.scope,
      'tenantId' in target ? target.tenantId : undefined,
      'admin',
    );
    return this.controlPlane.command(
      { type: 'DeleteRuleGroup', target, name, expectedVersion },
      commandContextOf(caller),
    );
  }

  private authorize(
    caller: Caller,
    scope: RuleGroupTarget['scope'],
    tenantId: string | undefined,
    need: 'read' | 'admin',
  ): void {
    if (scope === 'global') {
      // Every tenant's data flows through a global group: only the platform admin writes them; keys may read them.
      if (need === 'admin')
        AccessPolicy.requirePlatformAdmin(caller.principal, 'changing global rule groups');
      return;
    }
    if (tenantId === undefined) throw new StrataError('bad_request', 'a tenant is required');
    AccessPolicy.requireTenant(caller.principal, tenantId, need);
  }
}
