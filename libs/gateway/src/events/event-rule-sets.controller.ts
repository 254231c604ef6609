import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type EventRuleSetView } from '@strata/contracts';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { versionFromIfMatch } from '../http/validate';
import { EventRuleSetsService } from './event-rule-sets.service';

/**
 * REST for a tenant's kube-events / kube-auditing rule sets: the body is `{ spec, cluster? }`,
 * `spec` as the Rule CRD's. `PUT` creates or replaces (a default pack's name replaces that pack),
 * `DELETE` removes the tenant's own set; `If-Match` guards both.
 */
@ApiTags('events')
@Controller('api/v1/admin/tenants/:id/event-rule-sets')
export class EventRuleSetsController {
  constructor(private readonly sets: EventRuleSetsService) {}

  @Get()
  async list(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<{ items: EventRuleSetView[] }> {
    return { items: await this.sets.list(caller, id) };
  }

  @Get(':name')
  get(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('name') name: string,
  ): Promise<EventRuleSetView> {
    return this.sets.get(caller, id, name);
  }

  @Put(':name')
  async put(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('name') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<EventRuleSetView> {
    await this.sets.configure(caller, id, name, body, versionFromIfMatch(ifMatch));
    return this.sets.get(caller, id, name);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('name') name: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    await this.sets.delete(caller, id, name, versionFromIfMatch(ifMatch));
  }
}
