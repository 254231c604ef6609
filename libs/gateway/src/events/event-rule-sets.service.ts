import { Injectable } from '@nestjs/common';
import {
  type CommandAccepted,
  type EventRuleSetView,
  type Page,
  RuleSetCluster,
  RuleSetName,
  RuleSetSpec,
  StrataError,
  TenantId,
} from '@strata/contracts';
import { DEFAULT_RULE_SETS, effectiveRuleSets } from '@strata/event-rules';
import { z } from 'zod';
import { AccessPolicy } from '../auth/access-policy';
import { type Caller, commandContextOf } from '../auth/principal';
import { ControlPlaneClient } from '../control-plane/control-plane.client';
import { validate } from '../http/validate';

/** The body of a PUT: the Rule CRD's `spec` and, optionally, the one cluster it applies to. */
const RuleSetBody = z
  .object({
    cluster: RuleSetCluster.optional(),
    spec: RuleSetSpec,
    expectedVersion: z.number().int().nonnegative().optional(),
  })
  .strict();

/**
 * A tenant's kube-events / kube-auditing rule sets: who may touch them, validation of the shape at
 * the edge (the rules themselves are checked by the control plane), and the default packs a
 * tenant has not replaced shown beside its own sets.
 */
@Injectable()
export class EventRuleSetsService {
  constructor(private readonly controlPlane: ControlPlaneClient) {}

  /** The sets the tenant's events are evaluated with, in evaluation order. */
  async list(caller: Caller, tenantId: string): Promise<EventRuleSetView[]> {
    const tenant = this.authorize(caller, tenantId, 'read');
    const own: EventRuleSetView[] = [];
    let cursor: string | undefined;
    do {
      const page: Page<EventRuleSetView> = await this.controlPlane.query(
        { type: 'ListEventRuleSets', tenantId: tenant, cursor, limit: 1000 },
        caller.requestId,
      );
      own.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    const byName = new Map(own.map((s) => [s.name, s]));
    return effectiveRuleSets(tenant, own).map((s) => byName.get(s.name) ?? defaultView(s));
  }

  /** One set: the tenant's own, or the default pack of that name it has not replaced. */
  async get(caller: Caller, tenantId: string, name: string): Promise<EventRuleSetView> {
    const tenant = this.authorize(caller, tenantId, 'read');
    const setName = validate(RuleSetName, name, 'rule set name');
    try {
      return await this.controlPlane.query(
        { type: 'GetEventRuleSet', tenantId: tenant, name: setName },
        caller.requestId,
      );
    } catch (error) {
      const pack = DEFAULT_RULE_SETS.find((d) => d.name === setName);
      if (!(error instanceof StrataError) || error.code !== 'not_found' || !pack) throw error;
      await this.controlPlane.query({ type: 'GetTenant', tenantId: tenant }, caller.requestId);
      return defaultView({
        tenantId: tenant,
        name: setName,
        cluster: null,
        spec: pack.spec,
        version: 0,
      });
    }
  }

  /** Creates or replaces a set; a rule that does not compile is refused with its name and reason. */
  async configure(
    caller: Caller,
    tenantId: string,
    name: string,
    body: unknown,
    ifMatchVersion?: number,
  ): Promise<CommandAccepted> {
    const tenant = this.authorize(caller, tenantId, 'admin');
    const parsed = validate(RuleSetBody, body, 'rule set');
    return this.controlPlane.command(
      {
        type: 'ConfigureEventRuleSet',
        tenantId: tenant,
        name: validate(RuleSetName, name, 'rule set name'),
        cluster: parsed.cluster ?? null,
        spec: parsed.spec,
        expectedVersion: ifMatchVersion ?? parsed.expectedVersion,
      },
      commandContextOf(caller),
    );
  }

  /** Deletes the tenant's own set (a replaced default pack comes back). */
  async delete(
    caller: Caller,
    tenantId: string,
    name: string,
    expectedVersion?: number,
  ): Promise<CommandAccepted> {
    const tenant = this.authorize(caller, tenantId, 'admin');
    return this.controlPlane.command(
      {
        type: 'DeleteEventRuleSet',
        tenantId: tenant,
        name: validate(RuleSetName, name, 'rule set name'),
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

function defaultView(
  set: Omit<EventRuleSetView, 'origin' | 'createdAt' | 'updatedAt'>,
): EventRuleSetView {
  return { ...set, origin: 'default', createdAt: null, updatedAt: null };
}
