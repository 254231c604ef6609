import { Body, Controller, Delete, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { type RuleGroupView, StrataError } from '@strata/contracts';
import { type FastifyReply, type FastifyRequest } from 'fastify';
import { parse, stringify } from 'yaml';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { callerOf } from '../http/request-state';
import { RuleGroupsService } from './rule-groups.service';

const ACCEPTED = { status: 'success', data: null, errorType: '', error: '' };

function yamlReply(reply: FastifyReply, value: unknown): string {
  void reply.header('content-type', 'application/yaml');
  return stringify(value);
}

function byNamespace(views: RuleGroupView[]): Record<string, unknown[]> {
  const out: Record<string, unknown[]> = {};
  for (const v of views)
    if (v.target.scope === 'namespace') (out[v.target.namespace] ??= []).push(v.group);
  return out;
}

function groupOfBody(body: unknown): unknown {
  if (typeof body !== 'string')
    throw new StrataError(
      'unsupported_media_type',
      'send the rule group as YAML (Content-Type: application/yaml)',
    );
  try {
    return parse(body) as unknown;
  } catch (error) {
    throw new StrataError('bad_request', `the body is not YAML: ${(error as Error).message}`);
  }
}

/**
 * The Cortex/Mimir ruler configuration API, as mimirtool and Grafana's rule editor call it, over
 * the tenant's namespace-scoped rule groups: YAML in and out, 202 for changes, 404 when empty.
 */
// Documented by Mimir; the gateway's OpenAPI document describes its own admin API.
@ApiExcludeController()
@Controller('prometheus/config/v1/rules')
export class RulerConfigController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly groups: RuleGroupsService,
  ) {}

  @Get()
  async all(
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const tenantId = await this.admission.admit(req, 'read');
    const found = byNamespace(await this.groups.list(callerOf(req), 'namespace', tenantId));
    if (Object.keys(found).length === 0) throw new StrataError('not_found', 'no rule groups found');
    return yamlReply(reply, found);
  }

  @Get(':namespace')
  async namespace(
    @Param('namespace') namespace: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const tenantId = await this.admission.admit(req, 'read');
    const found = byNamespace(
      await this.groups.list(callerOf(req), 'namespace', tenantId, namespace),
    );
    if (Object.keys(found).length === 0) throw new StrataError('not_found', 'no rule groups found');
    return yamlReply(reply, found);
  }

  @Get(':namespace/:group')
  async group(
    @Param('namespace') namespace: string,
    @Param('group') name: string,
    @Req() req: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const tenantId = await this.admission.admit(req, 'read');
    const view = await this.groups.get(
      callerOf(req),
      this.groups.target('namespace', tenantId, namespace),
      name,
    );
    return yamlReply(reply, view.group);
  }

  @Post(':namespace')
  @HttpCode(202)
  async set(
    @Param('namespace') namespace: string,
    @Body() body: unknown,
    @Req() req: FastifyRequest,
  ): Promise<typeof ACCEPTED> {
    const tenantId = await this.admission.admit(req, 'admin');
    await this.groups.configure(
      callerOf(req),
      this.groups.target('namespace', tenantId, namespace),
      groupOfBody(body),
    );
    return ACCEPTED;
  }

  @Delete(':namespace/:group')
  @HttpCode(202)
  async deleteGroup(
    @Param('namespace') namespace: string,
    @Param('group') name: string,
    @Req() req: FastifyRequest,
  ): Promise<typeof ACCEPTED> {
    const tenantId = await this.admission.admit(req, 'admin');
    await this.groups.delete(
      callerOf(req),
      this.groups.target('namespace', tenantId, namespace),
      name,
    );
    return ACCEPTED;
  }

  @Delete(':namespace')
  @HttpCode(202)
  async deleteNamespace(
    @Param('namespace') namespace: string,
    @Req() req: FastifyRequest,
  ): Promise<typeof ACCEPTED> {
    const tenantId = await this.admission.admit(req, 'admin');
    const caller = callerOf(req);
    const target = this.groups.target('namespace', tenantId, namespace);
    for (const view of await this.groups.list(caller, 'namespace', tenantId, namespace))
      await this.groups.delete(caller, target, view.group.name);
    return ACCEPTED;
  }
}
