import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type PipelineView } from '@strata/contracts';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { versionFromIfMatch } from '../http/validate';
import { PipelinesService } from './pipelines.service';

/**
 * REST for a tenant's log pipelines (JSON, Vector-like `inputs` wiring). `PUT` creates or
 * replaces and answers 400 with the path of each problem (cycles, unknown inputs, bad patterns);
 * `If-Match` guards changes.
 */
@ApiTags('logs')
@Controller('api/v1/admin/tenants/:id/log-pipelines')
export class PipelinesController {
  constructor(private readonly pipelines: PipelinesService) {}

  @Get()
  async list(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
  ): Promise<{ items: PipelineView[] }> {
    return { items: await this.pipelines.list(caller, id) };
  }

  @Get(':name')
  get(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('name') name: string,
  ): Promise<PipelineView> {
    return this.pipelines.get(caller, id, name);
  }

  @Put(':name')
  async put(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('name') name: string,
    @Body() body: unknown,
    @Headers('if-match') ifMatch?: string,
  ): Promise<PipelineView> {
    await this.pipelines.configure(
      caller,
      id,
      { ...(body as object), name },
      versionFromIfMatch(ifMatch),
    );
    return this.pipelines.get(caller, id, name);
  }

  @Delete(':name')
  @HttpCode(204)
  async delete(
    @CurrentCaller() caller: Caller,
    @Param('id') id: string,
    @Param('name') name: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<void> {
    await this.pipelines.delete(caller, id, name, versionFromIfMatch(ifMatch));
  }
}
