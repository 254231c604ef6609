import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { BusClient } from '@strata/bus';
import { type PromAlertStatus, type PromRuleGroupStatus, Subjects } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { GATEWAY_OPTIONS, type GatewayOptions } from '../gateway.options';

const STATUS_TIMEOUT_MS = 15_000;

function list(query: Record<string, unknown>, name: string): string[] {
  const raw = query[`${name}[]`] ?? query[name];
  if (raw === undefined) return [];
  return (Array.isArray(raw) ? raw : [raw]).map(String);
}

type Filtered = { groups: PromRuleGroupStatus[] } | { error: string };

/** Prometheus' `/api/v1/rules` filters: `type`, `rule_name[]`, `rule_group[]`, `file[]`, `exclude_alerts`. */
export function filterRules(
  groups: PromRuleGroupStatus[],
  query: Record<string, unknown>,
): Filtered {
  const type = typeof query.type === 'string' ? query.type.toLowerCase() : '';
  if (type !== '' && type !== 'alert' && type !== 'record')
    return { error: `invalid parameter "type": unsupported type ${JSON.stringify(query.type)}` };
  const names = new Set(list(query, 'rule_name'));
  const groupNames = new Set(list(query, 'rule_group'));
  const files = new Set(list(query, 'file'));
  const excludeAlerts = query.exclude_alerts === 'true';
  const narrowed = names.size > 0 || type !== '';
  const out: PromRuleGroupStatus[] = [];
  for (const g of groups) {
    if (groupNames.size > 0 && !groupNames.has(g.name)) continue;
    if (files.size > 0 && !files.has(g.file)) continue;
    const rules = g.rules
      .filter((r) =>
        type === 'alert'
          ? r.type === 'alerting'
          : type === 'record'
            ? r.type === 'recording'
            : true,
      )
      .filter((r) => names.size === 0 || names.has(r.name))
      .map((r) => (excludeAlerts && r.type === 'alerting' ? { ...r, alerts: [] } : r));
    // Prometheus leaves out groups a rule filter emptied, but lists empty groups otherwise.
    if (narrowed && rules.length === 0) continue;
    const { scope: _scope, ...shown } = g;
    out.push({ ...shown, rules } as PromRuleGroupStatus);
  }
  return { groups: out };
}

/** Prometheus' `/api/v1/rules` and `/api/v1/alerts` for the admitted tenant, from the rulers' live state. */
@ApiExcludeController()
@Controller('api/v1')
export class RulesApiController {
  private readonly client: BusClient;

  constructor(
    private readonly admission: TenantAdmission,
    @Inject(GATEWAY_OPTIONS) options: GatewayOptions,
  ) {
    this.client = new BusClient(options.bus);
  }

  @Get('rules')
  async rules(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenantId = await this.admission.admit(req, 'read');
    const { groups } = await this.client.ask(
      Subjects.rulerStatus,
      { tenantId },
      { timeoutMs: STATUS_TIMEOUT_MS },
    );
    const filtered = filterRules(groups, (req.query ?? {}) as Record<string, unknown>);
    if ('error' in filtered) {
      await reply
        .status(400)
        .send({ status: 'error', errorType: 'bad_data', error: filtered.error });
      return;
    }
    await reply.status(200).send({ status: 'success', data: { groups: filtered.groups } });
  }

  @Get('alerts')
  async alerts(@Req() req: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const tenantId = await this.admission.admit(req, 'read');
    const { groups } = await this.client.ask(
      Subjects.rulerStatus,
      { tenantId },
      { timeoutMs: STATUS_TIMEOUT_MS },
    );
    const alerts: PromAlertStatus[] = groups.flatMap((g) =>
      g.rules.flatMap((r) => (r.type === 'alerting' ? r.alerts : [])),
    );
    await reply.status(200).send({ status: 'success', data: { alerts } });
  }
}
