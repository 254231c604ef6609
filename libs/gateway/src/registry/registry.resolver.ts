import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import {
  type ModelPermission,
  type ModelVersionView,
  type RegisteredModelView,
  StrataError,
} from '@strata/contracts';
import { CurrentCaller } from '../auth/caller.decorator';
import { type Caller } from '../auth/principal';
import { type Maybe } from '../graphql/graphql-args';
import { RegistryService } from './registry.service';

type Grant = { keyId: string; permission: ModelPermission };

type VersionNode = Omit<ModelVersionView, 'serving'> & {
  serving: ReturnType<RegistryService['servingQueries']>;
};

/** The model registry over GraphQL: the same service, authorization and checks as REST. */
@Resolver('RegisteredModel')
export class RegistryResolver {
  constructor(private readonly registry: RegistryService) {}

  @Query()
  async registeredModels(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('nameContains') nameContains: Maybe<string>,
    @Args('tagKey') tagKey: Maybe<string>,
    @Args('tagValue') tagValue: Maybe<string>,
    @Args('first') first: Maybe<number>,
    @Args('after') after: Maybe<string>,
  ): Promise<{ items: RegisteredModelView[]; nextCursor: string | null }> {
    return this.registry.search(c, tenantId, {
      nameContains: nameContains ?? undefined,
      tagKey: tagKey ?? undefined,
      tagValue: tagValue ?? undefined,
      cursor: after ?? undefined,
      limit: first ?? undefined,
    });
  }

  @Query()
  async registeredModel(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
  ): Promise<RegisteredModelView> {
    return this.registry.get(c, tenantId, name);
  }

  @Mutation()
  async setModelAlias(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('alias') alias: string,
    @Args('version') version: number,
  ): Promise<RegisteredModelView> {
    const model = await this.registry.change(c, {
      type: 'SetModelAlias',
      tenantId,
      name,
      alias,
      version,
    });
    if (!model) throw new StrataError('internal', 'the model is not visible after the change');
    return model;
  }

  @Query()
  modelPermissions(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
  ): Promise<Grant[]> {
    return this.registry.permissions(c, tenantId, name);
  }

  @Mutation()
  async setModelPermission(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('keyId') keyId: string,
    @Args('permission') permission: string,
  ): Promise<Grant[]> {
    await this.registry.change(c, {
      type: 'SetRegisteredModelPermission',
      tenantId,
      name,
      keyId,
      permission: permission as ModelPermission,
    });
    return this.registry.permissions(c, tenantId, name);
  }

  @Mutation()
  async deleteModelPermission(
    @CurrentCaller() c: Caller,
    @Args('tenantId') tenantId: string,
    @Args('name') name: string,
    @Args('keyId') keyId: string,
  ): Promise<Grant[]> {
    await this.registry.change(c, {
      type: 'DeleteRegisteredModelPermission',
      tenantId,
      name,
      keyId,
    });
    return this.registry.permissions(c, tenantId, name);
  }

  @ResolveField('versions')
  versions(@Parent() model: RegisteredModelView): VersionNode[] {
    return model.versions.map((v) => this.node(v));
  }

  @ResolveField('version')
  version(
    @Parent() model: RegisteredModelView,
    @Args('version') version: Maybe<number>,
    @Args('alias') alias: Maybe<string>,
  ): VersionNode | null {
    const wanted = alias ? model.aliases[alias] : (version ?? model.latestVersion);
    const found = model.versions.find((v) => v.version === wanted);
    return found ? this.node(found) : null;
  }

  private node(v: ModelVersionView): VersionNode {
    return { ...v, serving: this.registry.servingQueries(v) };
  }
}
