import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Patch,
  Post,
  Put,
  Query,
  Req,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  ModelAliasName,
  ModelPermission,
  ModelPermissionGrantee,
  ModelTags,
  ModelVersionSpec,
  type ModelVersionView,
  RegisteredModelName,
  type RegisteredModelView,
  type ServingQueries,
  StrataError,
} from '@strata/contracts';
import { type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TenantAdmission } from '../auth/tenant-admission.service';
import { callerOf } from '../http/request-state';
import { validate } from '../http/validate';
import { RouteDoc } from '../openapi/api-doc.decorator';
import { RegistryService } from './registry.service';

const CreateBody = z
  .object({
    name: RegisteredModelName,
    description: z.string().max(5000).default(''),
    tags: ModelTags.default({}),
  })
  .strict();
const UpdateBody = z.object({ description: z.string().max(5000) }).strict();
const TagBody = z.object({ value: z.string().max(5000) }).strict();
const AliasBody = z.object({ version: z.number().int().positive() }).strict();

function modelName(text: string): string {
  return validate(RegisteredModelName, text, 'name');
}

function versionNumber(text: string): number {
  return validate(z.coerce.number().int().positive(), text, 'version');
}

/**
 * The model registry over REST, for the tenant of the caller's key (or the one the admin names
 * in the tenant header): registered models, auto-numbered versions with lineage, aliases, tags.
 */
@ApiTags('models')
@Controller('api/v1/registry/models')
export class RegistryController {
  constructor(
    private readonly admission: TenantAdmission,
    private readonly registry: RegistryService,
  ) {}

  @Get()
  @RouteDoc({
    summary: 'Search registered models by name substring and tag (those the key may READ)',
    access: 'read scope',
  })
  async search(
    @Req() request: FastifyRequest,
    @Query('name') name?: string,
    @Query('tag') tag?: string,
    @Query('cursor') cursor?: string,
  ): Promise<{ items: RegisteredModelView[]; nextCursor: string | null }> {
    const tenantId = await this.admission.admit(request, 'read');
    const [tagKey, tagValue] = tag === undefined ? [] : splitTag(tag);
    return this.registry.search(callerOf(request), tenantId, {
      nameContains: name,
      tagKey,
      tagValue,
      cursor,
    });
  }

  @Post()
  @HttpCode(201)
  @RouteDoc({ summary: 'Register a model', access: 'write scope', status: 201 })
  async create(
    @Req() request: FastifyRequest,
    @Body() body: unknown,
  ): Promise<RegisteredModelView | null> {
    const tenantId = await this.admission.admit(request, 'write');
    const { name, description, tags } = validate(CreateBody, body, 'registered model');
    return this.registry.change(callerOf(request), {
      type: 'CreateRegisteredModel',
      tenantId,
      name,
      description,
      tags,
    });
  }

  @Get(':name')
  @RouteDoc({
    summary: 'A registered model with its versions and aliases',
    access: 'READ on the model',
  })
  async get(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
  ): Promise<RegisteredModelView> {
    const tenantId = await this.admission.admit(request, null);
    return this.registry.get(
      callerOf(request),
      tenantId,
      validate(RegisteredModelName, name, 'name'),
    );
  }

  @Patch(':name')
  @RouteDoc({ summary: "Change a model's description", access: 'EDIT on the model' })
  async update(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<RegisteredModelView | null> {
    const tenantId = await this.admission.admit(request, null);
    const { description } = validate(UpdateBody, body, 'update');
    return this.registry.change(callerOf(request), {
      type: 'UpdateRegisteredModel',
      tenantId,
      name: validate(RegisteredModelName, name, 'name'),
      description,
    });
  }

  @Delete(':name')
  @HttpCode(204)
  @RouteDoc({
    summary: 'Delete a registered model (its artifacts stay until deleted)',
    access: 'MANAGE on the model',
    status: 204,
  })
  async delete(@Req() request: FastifyRequest, @Param('name') name: string): Promise<void> {
    const tenantId = await this.admission.admit(request, null);
    await this.registry.change(callerOf(request), {
      type: 'DeleteRegisteredModel',
      tenantId,
      name: validate(RegisteredModelName, name, 'name'),
    });
  }

  @Put(':name/tags/:key')
  @RouteDoc({ summary: 'Set a tag of a model', access: 'EDIT on the model' })
  async tag(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('key') key: string,
    @Body() body: unknown,
  ): Promise<RegisteredModelView | null> {
    const tenantId = await this.admission.admit(request, null);
    const { value } = validate(TagBody, body, 'tag');
    return this.registry.change(callerOf(request), {
      type: 'SetRegisteredModelTag',
      tenantId,
      name: validate(RegisteredModelName, name, 'name'),
      key,
      value,
    });
  }

  @Post(':name/versions')
  @HttpCode(201)
  @RouteDoc({
    summary: 'Register a new version (numbered by the registry) with its source and run',
    access: 'EDIT on the model',
    status: 201,
  })
  async createVersion(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Body() body: unknown,
  ): Promise<ModelVersionView> {
    const tenantId = await this.admission.admit(request, null);
    const model = await this.registry.change(callerOf(request), {
      type: 'CreateModelVersion',
      tenantId,
      name: validate(RegisteredModelName, name, 'name'),
      spec: validate(ModelVersionSpec, body, 'model version'),
    });
    const created = model?.versions[model.versions.length - 1];
    if (!created) throw new StrataError('internal', 'the new version is not visible');
    return created;
  }

  @Get(':name/versions/:version')
  @RouteDoc({
    summary: 'A version, with ready-made queries for the workloads serving it',
    access: 'READ on the model',
  })
  async version(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('version') version: string,
  ): Promise<ModelVersionView & { servingQueries: ServingQueries[] }> {
    const tenantId = await this.admission.admit(request, null);
    const found = await this.registry.version(
      callerOf(request),
      tenantId,
      name,
      versionNumber(version),
    );
    return { ...found, servingQueries: this.registry.servingQueries(found) };
  }

  @Put(':name/versions/:version/tags/:key')
  @RouteDoc({ summary: 'Set a tag of a version', access: 'EDIT on the model' })
  async versionTag(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('version') version: string,
    @Param('key') key: string,
    @Body() body: unknown,
  ): Promise<RegisteredModelView | null> {
    const tenantId = await this.admission.admit(request, null);
    const { value } = validate(TagBody, body, 'tag');
    return this.registry.change(callerOf(request), {
      type: 'SetModelVersionTag',
      tenantId,
      name: validate(RegisteredModelName, name, 'name'),
      version: versionNumber(version),
      key,
      value,
    });
  }

  @Get(':name/aliases/:alias')
  @RouteDoc({ summary: 'The version an alias points at', access: 'READ on the model' })
  async alias(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('alias') alias: string,
  ): Promise<ModelVersionView> {
    const tenantId = await this.admission.admit(request, null);
    return this.registry.byAlias(callerOf(request), tenantId, name, alias);
  }

  @Put(':name/aliases/:alias')
  @RouteDoc({
    summary: 'Point an alias at a version (moves it atomically; audited)',
    access: 'EDIT on the model',
  })
  async setAlias(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('alias') alias: string,
    @Body() body: unknown,
  ): Promise<RegisteredModelView | null> {
    const tenantId = await this.admission.admit(request, null);
    return this.registry.change(callerOf(request), {
      type: 'SetModelAlias',
      tenantId,
      name: validate(RegisteredModelName, name, 'name'),
      alias: validate(ModelAliasName, alias, 'alias'),
      version: validate(AliasBody, body, 'alias').version,
    });
  }

  @Delete(':name/aliases/:alias')
  @RouteDoc({ summary: 'Remove an alias', access: 'EDIT on the model' })
  async deleteAlias(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('alias') alias: string,
  ): Promise<RegisteredModelView | null> {
    const tenantId = await this.admission.admit(request, null);
    return this.registry.change(callerOf(request), {
      type: 'DeleteModelAlias',
      tenantId,
      name: validate(RegisteredModelName, name, 'name'),
      alias: validate(ModelAliasName, alias, 'alias'),
    });
  }

  @Get(':name/permissions')
  @RouteDoc({
    summary: "Keys' permissions on the model (MLflow's READ, EDIT, MANAGE, NO_PERMISSIONS)",
    access: 'MANAGE on the model',
  })
  async permissions(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
  ): Promise<{ items: Array<{ keyId: string; permission: ModelPermission }> }> {
    const tenantId = await this.admission.admit(request, null);
    return { items: await this.registry.permissions(callerOf(request), tenantId, modelName(name)) };
  }

  @Put(':name/permissions/:keyId')
  @RouteDoc({
    summary: 'Grant a key a permission on the model (audited)',
    access: 'MANAGE on the model',
  })
  async grant(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('keyId') keyId: string,
    @Body() body: unknown,
  ): Promise<{ keyId: string; permission: ModelPermission }> {
    const tenantId = await this.admission.admit(request, null);
    const { permission } = validate(PermissionBody, body, 'permission');
    await this.registry.change(callerOf(request), {
      type: 'SetRegisteredModelPermission',
      tenantId,
      name: modelName(name),
      keyId: validate(ModelPermissionGrantee, keyId, 'keyId'),
      permission,
    });
    return { keyId, permission };
  }

  @Delete(':name/permissions/:keyId')
  @HttpCode(204)
  @RouteDoc({
    summary: "Remove a key's grant: it falls back to its scopes' default",
    access: 'MANAGE on the model',
    status: 204,
  })
  async revoke(
    @Req() request: FastifyRequest,
    @Param('name') name: string,
    @Param('keyId') keyId: string,
  ): Promise<void> {
    const tenantId = await this.admission.admit(request, null);
    await this.registry.change(callerOf(request), {
      type: 'DeleteRegisteredModelPermission',
      tenantId,
      name: modelName(name),
      keyId: validate(ModelPermissionGrantee, keyId, 'keyId'),
    });
  }
}

const PermissionBody = z.object({ permission: ModelPermission }).strict();

function splitTag(tag: string): [string, string | undefined] {
  const at = tag.indexOf('=');
  return at < 0 ? [tag, undefined] : [tag.slice(0, at), tag.slice(at + 1)];
}
