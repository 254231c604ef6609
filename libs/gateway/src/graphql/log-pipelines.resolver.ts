import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { type PipelineView } from '@strata/contracts';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { PipelinesService } from '../logs/pipelines.service';
import { type Maybe } from './graphql-args';

/** What GraphQL shows of a stored pipeline: its name beside the spec. */
interface LogPipelineNode {
  tenantId: string;
  name: string;
  pipeline: PipelineView['pipeline'];
  version: number;
  createdAt: string;
  updatedAt: string;
}

function node(view: PipelineView): LogPipelineNode {
  return { ...view, name: view.pipeline.name };
}

/** A tenant's log pipelines over GraphQL: the same service, authorization and checks as REST. */
@Resolver()
export class LogPipelinesResolver {
  constructor(private readonly pipelines: PipelinesService) {}

  @Query()
  async logPipelines(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
  ): Promise<LogPipelineNode[]> {
    return (await this.pipelines.list(c, tenantId)).map(node);
  }

  @Query()
  async logPipeline(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
  ): Promise<LogPipelineNode> {
    return node(await this.pipelines.get(c, tenantId, name));
  }

  @Mutation()
  async configureLogPipeline(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('pipeline') pipeline: unknown,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<LogPipelineNode> {
    await this.pipelines.configure(c, tenantId, pipeline, expectedVersion ?? undefined);
    const name = (pipeline as { name?: unknown }).name;
    return node(await this.pipelines.get(c, tenantId, String(name)));
  }

  @Mutation()
  async deleteLogPipeline(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('expectedVersion') expectedVersion: Maybe<number>,
  ): Promise<boolean> {
    await this.pipelines.delete(c, tenantId, name, expectedVersion ?? undefined);
    return true;
  }
}
